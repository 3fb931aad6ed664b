// Each way a certificate can be wrong, as a developer meets it: the instance refuses to start
// with a UserError (which `ons-proxy start` prints as one line, exit 2) that says what is wrong
// and how to fix it. Warnings do not stop the proxy.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/config/errors.js';
import type { ProxyConfig } from '../../src/config/load.js';
import { runCli, spawnProxy, type CliResult } from '../support/cli.js';
import { configFor, startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { openClientCertificate } from '../../src/tls/index.js';
import { DAY_MS, issueClient, strangerCa, writeEncryptedKey, writeIdentity, writePfx, type WrittenIdentity } from '../support/certificates.js';

let upstream: Upstream;
let good: WrittenIdentity;
let env: Record<string, string>;

beforeAll(async () => {
  upstream = await startUpstream();
  good = writeIdentity(upstream.dir, 'good', issueClient(upstream.pki.ca));
  env = { ONS_PROXY_UPSTREAM: upstream.mock.url, ONS_PROXY_CA: upstream.pki.ca.certPath, ONS_PROXY_LOG_DIR: path.join(upstream.dir, 'logs') };
});
afterAll(async () => upstream.close());

function start(extra: Record<string, string>): Promise<CliResult> {
  return runCli(['start'], { cwd: upstream.dir, env: { ...env, ...extra } });
}

function expectOneLineExit2(result: CliResult, message: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

async function expectRefused(overrides: Partial<ProxyConfig>, message: RegExp): Promise<void> {
  const refusal = await startProxy(upstream, { cert: undefined, key: undefined, ...overrides }).then(
    async (proxy) => {
      await proxy.close();
      return undefined;
    },
    (error: unknown) => error,
  );
  expect(refusal).toBeInstanceOf(UserError);
  expect((refusal as UserError).exitCode).toBe(2);
  expect((refusal as UserError).message).not.toContain('\n');
  expect((refusal as UserError).message).toMatch(message);
}

/** The console's JSON lines (stdout is not a terminal here), as messages. */
function logMessages(output: string): string[] {
  return output.split('\n').flatMap((line) => {
    try {
      return [(JSON.parse(line) as { msg: string }).msg];
    } catch {
      return [];
    }
  });
}

describe('start refuses unusable certificate material with one line', () => {
  it('a certificate path that is a folder', async () => {
    const folder = path.join(upstream.dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    await expectRefused({ cert: folder, key: good.keyPath }, /Cannot read the certificate .*a-folder \(ONS_PROXY_CERT\): it is a folder, not a file/);
  });

  it('a key where the certificate belongs, and a certificate where the key belongs', async () => {
    await expectRefused({ cert: good.keyPath, key: good.keyPath }, /good-key\.pem \(ONS_PROXY_CERT\) holds a private key, not a certificate: point ONS_PROXY_CERT at the signed certificate/);
    await expectRefused({ cert: good.certPath, key: good.certPath }, /good\.pem \(ONS_PROXY_KEY\) holds a certificate, not a private key/);
  });

  it('a file that is neither', async () => {
    const text = path.join(upstream.dir, 'notes.txt');
    writeFileSync(text, 'hello\n');
    await expectRefused({ cert: text, key: good.keyPath }, /notes\.txt \(ONS_PROXY_CERT\) is not a certificate/);
    await expectRefused({ cert: good.certPath, key: text }, /notes\.txt \(ONS_PROXY_KEY\) is not a PEM private key/);
  });

  it('a key that does not belong to the certificate', async () => {
    const other = writeIdentity(upstream.dir, 'other', issueClient(upstream.pki.ca));
    await expectRefused({ cert: good.certPath, key: other.keyPath }, /The private key does not belong to the certificate/);
  });

  it('an encrypted key without a passphrase, and with a wrong one', async () => {
    const encrypted = writeEncryptedKey(upstream.dir, 'good', good.issued, 'right');
    await expectRefused({ cert: good.certPath, key: encrypted }, /The private key .* is encrypted: set ONS_PROXY_PASSPHRASE or ONS_PROXY_PASSPHRASE_FILE/);
    const result = await start({ ONS_PROXY_CERT: good.certPath, ONS_PROXY_KEY: encrypted, ONS_PROXY_PASSPHRASE: 'wrong-secret' });
    expectOneLineExit2(result, /Wrong passphrase for the private key .*good-key\.enc\.pem/);
    expect(result.stderr + result.stdout).not.toContain('wrong-secret');
  });

  it('a PKCS#12 file with a wrong passphrase, and without one', async () => {
    const pfx = writePfx(upstream.dir, 'good', good.issued, 'right');
    await expectRefused({ pfx, passphrase: 'wrong-secret' }, /Wrong passphrase for the PKCS#12 file .*good\.p12/);
    await expectRefused({ pfx }, /The PKCS#12 file .*good\.p12 is protected by a password: set ONS_PROXY_PASSPHRASE/);
  });

  it('an expired certificate, with its date', async () => {
    const expired = writeIdentity(upstream.dir, 'expired', issueClient(upstream.pki.ca, { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2025-03-01T12:00:00Z') }));
    expectOneLineExit2(await start({ ONS_PROXY_CERT: expired.certPath, ONS_PROXY_KEY: expired.keyPath }), /The certificate hr_integration-TE1002-tests expired on 2025-03-01T12:00:00\.000Z .*ons-proxy csr/);
  });

  it('a certificate that is not valid yet', async () => {
    const future = writeIdentity(upstream.dir, 'future', issueClient(upstream.pki.ca, { notBefore: new Date(Date.now() + 10 * DAY_MS) }));
    await expectRefused({ cert: future.certPath, key: future.keyPath }, /is not valid until .*check this computer's clock/);
  });

  it('a development certificate for staging, unless --force', async () => {
    await expectRefused({ cert: good.certPath, key: good.keyPath, environment: 'staging' }, /customer code TE1002, which belongs to development, but the proxy is set to staging .*--environment development .*--force/);
    const forced = await spawnProxy(['start', '--force'], { cwd: upstream.dir, env: { ...env, ONS_PROXY_CERT: good.certPath, ONS_PROXY_KEY: good.keyPath, ONS_PROXY_ENVIRONMENT: 'staging' } });
    try {
      expect((await request(`${forced.url}/ping`)).statusCode).toBe(200);
    } finally {
      await forced.stop();
    }
  });
});

describe('start warns but serves', () => {
  it('a certificate close to expiry, a short key and a CN outside the Ons pattern', async () => {
    const weak = writeIdentity(upstream.dir, 'weak', issueClient(upstream.pki.ca, { commonName: 'My Test Client', notAfter: new Date(Date.now() + 10 * DAY_MS + 3_600_000) }));
    const proxy = await spawnProxy(['start'], { cwd: upstream.dir, env: { ...env, ONS_PROXY_CERT: weak.certPath, ONS_PROXY_KEY: weak.keyPath } });
    try {
      expect((await request(`${proxy.url}/ping`)).statusCode).toBe(200);
      const messages = logMessages(proxy.output());
      expect(messages).toContainEqual(expect.stringMatching(/^The certificate My Test Client expires on \d{4}-\d\d-\d\d \(in 10 days\)/));
      expect(messages).toContainEqual(expect.stringMatching(/^The private key is RSA 2048 bits; Ons requires RSA 4096 bits or more/));
      expect(messages).toContainEqual(expect.stringMatching(/^The certificate's CN "My Test Client" does not follow the Ons pattern/));
    } finally {
      await proxy.stop();
    }
  });

  it('nothing to warn about for a sound certificate but its key size', async () => {
    const messages: string[] = [];
    const log = { info: () => undefined, warn: (message: string) => messages.push(message), error: (message: string) => messages.push(message) };
    await openClientCertificate(configFor(upstream, { cert: good.certPath, key: good.keyPath }), log).dispatcher.destroy();
    expect(messages).toEqual([expect.stringMatching(/^The private key is RSA 2048 bits/)]);
  });
});

describe("the demo's own throwaway certificate", () => {
  const quietLog = (messages: string[]) => ({ info: () => undefined, warn: (message: string) => messages.push(message), error: (message: string) => messages.push(message) });

  it('is not warned about in `ons-proxy demo`, though its key is RSA 2048 on purpose', async () => {
    const demo = await spawnProxy(['demo'], { cwd: upstream.dir, env: { ONS_PROXY_LOG_DIR: path.join(upstream.dir, 'demo-logs') } });
    try {
      for (let i = 0; i < 100 && !demo.output().includes('Stop with Ctrl+C'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(demo.output()).toContain('Stop with Ctrl+C');
      expect(demo.output()).not.toMatch(/Ons requires RSA|does not follow the Ons pattern|is not one Ons uses/);
      expect(logMessages(demo.output())).not.toContainEqual(expect.stringMatching(/^The (private key|certificate)/));
    } finally {
      await demo.stop('SIGINT');
    }
  });

  it('is warned about when it is used as a real certificate: only the demo waives the rules', async () => {
    // upstream.pki.client is the very kind of certificate the demo makes (writeDemoPki): same CN, RSA 2048.
    const asReal: string[] = [];
    await openClientCertificate(configFor(upstream), quietLog(asReal)).dispatcher.destroy();
    expect(asReal).toEqual([expect.stringMatching(/^The private key is RSA 2048 bits; Ons requires RSA 4096 bits or more/)]);
    const asDemo: string[] = [];
    await openClientCertificate(configFor(upstream, { throwawayCertificate: true }), quietLog(asDemo)).dispatcher.destroy();
    expect(asDemo).toEqual([]);
  });
});

describe('a certificate not signed by the upstream\'s CA', () => {
  it('starts (only Ons can tell), and Ons answers 495 through the proxy', async () => {
    const stranger = writeIdentity(upstream.dir, 'stranger', issueClient(strangerCa()));
    const proxy = await startProxy(upstream, { cert: stranger.certPath, key: stranger.keyPath });
    try {
      expect((await request(`${proxy.url}/ping`)).statusCode).toBe(495);
    } finally {
      await proxy.close();
    }
  });
});
