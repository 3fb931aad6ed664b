// A foreign mTLS upstream for the hardening suites: a plain node:https server that demands
// the demo client certificate and answers whatever the test scripts, so no answer depends
// on the demo mock's routes. The proxy runs as its own process (`ons-proxy start`), as a
// developer runs it, and is talked to over loopback.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeDemoPki, type DemoPki } from '../../src/demo/index.js';
import { spawnProxy, type SpawnedProxy } from '../support/cli.js';

export type UpstreamHandler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void;

export interface ScriptedUpstream {
  readonly url: string;
  readonly dir: string;
  readonly pki: DemoPki;
  /** Requests that reached the upstream, in order. */
  readonly seen: Array<{ method: string; url: string; bodyBytes: number }>;
  /** The environment that points `ons-proxy start` at this upstream with the demo certificate. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function startScriptedUpstream(handler: UpstreamHandler): Promise<ScriptedUpstream> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-hardening-'));
  const pki = await writeDemoPki(dir);
  const seen: ScriptedUpstream['seen'] = [];
  const server: Server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: true }, (request, response) => {
    const chunks: Buffer[] = [];
    let bodyBytes = 0;
    request.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      // Only small bodies are kept for the handler; big uploads are counted, not held.
      if (bodyBytes <= 1024 * 1024) chunks.push(chunk);
    });
    request.on('error', () => response.destroy());
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', bodyBytes });
      handler(request, Buffer.concat(chunks), response);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `https://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url,
    dir,
    pki,
    seen,
    env: (extra = {}) => ({
      ONS_PROXY_UPSTREAM: url,
      ONS_PROXY_CERT: pki.client.certPath,
      ONS_PROXY_KEY: pki.client.keyPath,
      ONS_PROXY_CA: pki.ca.certPath,
      ONS_PROXY_LOG_DIR: path.join(dir, 'logs'),
      ...extra,
    }),
    async close() {
      server.closeAllConnections();
      server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `ons-proxy start` in front of the upstream, in its own process. */
export function startProxyProcess(upstream: ScriptedUpstream, extra: Record<string, string> = {}, args: readonly string[] = []): Promise<SpawnedProxy> {
  return spawnProxy(['start', ...args], { env: upstream.env(extra), cwd: upstream.dir });
}

/** Every record in the proxy's traffic folder, parsed; waits until at least `count` are there. */
export async function recordsOf(upstream: ScriptedUpstream, count: number, logDir = path.join(upstream.dir, 'logs')): Promise<Array<Record<string, unknown> & { id: string }>> {
  const { readdir, readFile } = await import('node:fs/promises');
  for (let attempt = 0; ; attempt++) {
    const names = (await readdir(logDir).catch(() => [] as string[])).filter((name) => name.endsWith('.ndjson'));
    const lines: string[] = [];
    for (const name of names) lines.push(...(await readFile(path.join(logDir, name), 'utf8')).split('\n').filter(Boolean));
    if (lines.length >= count || attempt > 500) return lines.map((line) => JSON.parse(line) as Record<string, unknown> & { id: string });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
