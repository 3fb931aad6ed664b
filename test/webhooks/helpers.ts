// What the webhook suites share: receivers in other languages, the golden vectors, a secret file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DATA = path.join(HERE, 'data');

export interface Golden {
  readonly secret: string;
  readonly secretFile: string;
  readonly body: Buffer;
  readonly hex: string;
  readonly base64: string;
}

export function golden(): Golden {
  const vectors = JSON.parse(readFileSync(path.join(DATA, 'golden.json'), 'utf8')) as { secretFile: string; bodyFile: string; hex: string; base64: string };
  const secretFile = path.join(DATA, vectors.secretFile);
  return { secret: readFileSync(secretFile, 'utf8').trim(), secretFile, body: readFileSync(path.join(DATA, vectors.bodyFile)), hex: vectors.hex, base64: vectors.base64 };
}

export interface Workspace {
  readonly dir: string;
  readonly logDir: string;
  readonly secretFile: string;
  readonly secret: string;
  /** The environment for the command line: the log folder and the secret file. */
  readonly env: Record<string, string>;
}

export function workspace(secret = 'test-webhook-secret-Ωmega'): Workspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ons-proxy-webhooks-'));
  const secretFile = path.join(dir, 'webhook-secret');
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  const logDir = path.join(dir, 'logs');
  return { dir, logDir, secretFile, secret, env: { ONS_PROXY_LOG_DIR: logDir, ONS_PROXY_WEBHOOK_SECRET_FILE: secretFile } };
}

/** An HMAC the way the tests compute it (node:crypto directly, not the code under test). */
export function hmac(secret: string, body: Buffer, encoding: 'hex' | 'base64'): string {
  return createHmac('sha512', secret).update(body).digest(encoding);
}

export interface ReceivedDelivery {
  readonly path: string;
  /** base64 of the raw body bytes */
  readonly body: string;
  readonly signature: string;
  readonly valid: boolean;
}

export interface Receiver {
  readonly url: string;
  received(): Promise<ReceivedDelivery[]>;
  stop(): Promise<void>;
}

export type ReceiverMode = 'correct' | 'accept-all' | 'reject-all' | 'sleep';

/** Starts test/webhooks/receivers/receiver.py (python3) or receiver.mjs (node) and waits for its port. */
export function startReceiver(language: 'python' | 'node', secretFile: string, encoding: 'hex' | 'base64', mode: ReceiverMode = 'correct'): Promise<Receiver> {
  const [command, script] = language === 'python' ? ['python3', 'receiver.py'] : [process.execPath, 'receiver.mjs'];
  const child: ChildProcess = spawn(command, [path.join(HERE, 'receivers', script), secretFile, encoding, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.stdout?.once('data', (chunk: Buffer) => {
      const port = Number(chunk.toString().trim());
      if (!Number.isInteger(port)) return reject(new Error(`the ${language} receiver said ${chunk.toString()} ${output}`));
      const base = `http://127.0.0.1:${port}`;
      resolve({
        url: `${base}/events`,
        received: async () => (await (await fetch(`${base}/received`)).json()) as ReceivedDelivery[],
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then(() => reject(new Error(`the ${language} receiver ended: ${output}`)));
  });
}
