// A renewed certificate takes effect without a restart: the files are replaced the ways
// developers and platforms replace them while requests keep flowing, and the upstream's own
// record of client serials shows the switch. No request may fail on the way.
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { certificateReloader, loadClientCertificate, SwappableDispatcher, createUpstreamAgent, type ReloadOutcome } from '../../src/tls/index.js';
import { configFor, startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { DAY_MS, issueClient, writeKeyFile } from '../support/certificates.js';
import type { IssuedCertificate } from '../../src/demo/index.js';

let upstream: Upstream;
let proxy: RunningInstance | undefined;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});
afterAll(async () => upstream.close());

interface CertificateStatus {
  serialNumber: string;
  lastReload: ReloadOutcome | null;
}

async function certificateStatus(): Promise<CertificateStatus> {
  const response = await request(`${proxy?.url}/__proxy/status`);
  return ((await response.body.json()) as { certificate: CertificateStatus }).certificate;
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Keeps `workers` clients sending requests through the proxy until stopped; collects every failure. */
function keepRequesting(url: string, workers = 3): { stop(): Promise<{ ok: number; failures: string[] }> } {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        const response = await request(`${url}/__mock/echo`);
        await response.body.text();
        if (response.statusCode === 200) ok++;
        else failures.push(`status ${response.statusCode}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { ok, failures };
    },
  };
}

function replaceByRename(file: string, content: string, mode = 0o644): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, content, { mode });
  renameSync(temporary, file);
}

async function expectSwitchWhileRequesting(next: IssuedCertificate, replace: () => void): Promise<void> {
  const url = proxy?.url ?? '';
  const load = keepRequesting(url);
  await eventually(async () => upstream.mock.stats.clientSerials.length, (n) => n > 5, 'requests before the swap');
  replace();
  await eventually(certificateStatus, (status) => status.serialNumber === next.serialNumber, 'the new certificate in /__proxy/status');
  const seenBefore = upstream.mock.stats.clientSerials.length;
  await eventually(async () => upstream.mock.stats.clientSerials.slice(seenBefore), (serials) => serials.length > 5, 'requests after the swap');
  const { ok, failures } = await load.stop();
  expect(failures).toEqual([]);
  expect(ok).toBeGreaterThan(10);
  expect(upstream.mock.stats.clientSerials.slice(seenBefore).every((serial) => serial === next.serialNumber)).toBe(true);
  expect((await certificateStatus()).lastReload).toMatchObject({ trigger: 'file change', result: 'reloaded' });
}

function freshDir(name: string): string {
  const dir = path.join(upstream.dir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  return dir;
}

interface LiveFiles {
  dir: string;
  cert: string;
  key: string;
  first: IssuedCertificate;
  second: IssuedCertificate;
}

/** A proxy serving `first` from client.pem/client-key.pem in a fresh folder; `second` is the renewal. */
async function proxyWithFiles(name: string): Promise<LiveFiles> {
  const dir = freshDir(name);
  const files = { dir, cert: path.join(dir, 'client.pem'), key: path.join(dir, 'client-key.pem'), first: issueClient(upstream.pki.ca), second: issueClient(upstream.pki.ca) };
  writeFileSync(files.cert, files.first.certPem);
  writeKeyFile(files.key, files.first.keyPem);
  proxy = await startProxy(upstream, { cert: files.cert, key: files.key });
  upstream.mock.resetStats();
  return files;
}

describe('reload without restart', () => {
  it('certificate and key replaced by rename (editors, mv), while requests flow', async () => {
    const { cert, key, first, second } = await proxyWithFiles('renamed');
    await expectSwitchWhileRequesting(second, () => {
      replaceByRename(key, second.keyPem, 0o600);
      replaceByRename(cert, second.certPem);
    });
    expect(upstream.mock.stats.clientSerials[0]).toBe(first.serialNumber);
  });

  it('files overwritten in place (cp)', async () => {
    const { cert, key, second } = await proxyWithFiles('copied');
    await expectSwitchWhileRequesting(second, () => {
      writeFileSync(key, second.keyPem);
      writeFileSync(cert, second.certPem);
    });
  });

  it('a Kubernetes-style ..data symlink swap', async () => {
    const dir = freshDir('mounted');
    const first = issueClient(upstream.pki.ca);
    const second = issueClient(upstream.pki.ca);
    const writeVersion = (version: string, issued: IssuedCertificate): void => {
      mkdirSync(path.join(dir, version));
      writeFileSync(path.join(dir, version, 'tls.crt'), issued.certPem);
      writeKeyFile(path.join(dir, version, 'tls.key'), issued.keyPem);
    };
    writeVersion('..v1', first);
    symlinkSync('..v1', path.join(dir, '..data'));
    symlinkSync('..data/tls.crt', path.join(dir, 'tls.crt'));
    symlinkSync('..data/tls.key', path.join(dir, 'tls.key'));
    proxy = await startProxy(upstream, { cert: path.join(dir, 'tls.crt'), key: path.join(dir, 'tls.key') });
    upstream.mock.resetStats();
    await expectSwitchWhileRequesting(second, () => {
      writeVersion('..v2', second);
      symlinkSync('..v2', path.join(dir, '..data_tmp'));
      renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    });
  });

  it('invalid new material is refused: the error is reported and the old certificate keeps serving', async () => {
    const { cert, first, second: unrelated } = await proxyWithFiles('broken');
    // The new certificate without its key: the key on disk no longer matches.
    replaceByRename(cert, unrelated.certPem);
    const status = await eventually(certificateStatus, (s) => s.lastReload !== null, 'a reload attempt');
    expect(status.serialNumber).toBe(first.serialNumber);
    expect(status.lastReload).toMatchObject({ trigger: 'file change', result: 'failed', error: expect.stringMatching(/The private key does not belong to the certificate/) });
    upstream.mock.resetStats();
    const response = await request(`${proxy?.url}/ping`);
    expect(response.statusCode).toBe(200);
    expect(upstream.mock.stats.clientSerials).toEqual([first.serialNumber]);
  });

  it('SIGHUP reloads on request', async () => {
    proxy = await startProxy(upstream);
    process.kill(process.pid, 'SIGHUP');
    const status = await eventually(certificateStatus, (s) => s.lastReload !== null, 'the SIGHUP reload');
    expect(status.lastReload).toMatchObject({ trigger: 'SIGHUP', result: 'reloaded' });
    expect((await request(`${proxy.url}/ping`)).statusCode).toBe(200);
  });
});

describe('expiry reminders while running', () => {
  it('repeats the warning for a certificate close to expiry', async () => {
    const dir = freshDir('expiring');
    const soon = issueClient(upstream.pki.ca, { notAfter: new Date(Date.now() + 5 * DAY_MS + 3_600_000) });
    writeFileSync(path.join(dir, 'client.pem'), soon.certPem);
    writeKeyFile(path.join(dir, 'client-key.pem'), soon.keyPem);
    const settings = configFor(upstream, { cert: path.join(dir, 'client.pem'), key: path.join(dir, 'client-key.pem') });
    const initial = loadClientCertificate(settings);
    const createAgent = (context: Parameters<typeof createUpstreamAgent>[0]) => createUpstreamAgent(context, { connectTimeoutMs: 1000 });
    const dispatcher = new SwappableDispatcher(createAgent(initial.secureContext));
    const warnings: string[] = [];
    const log = { info: () => undefined, warn: (message: string) => warnings.push(message), error: (message: string) => warnings.push(message) };
    const reloader = certificateReloader({ settings, dispatcher, initial, createAgent, log, expiryCheckIntervalMs: 20 });
    await reloader.start?.();
    try {
      await eventually(async () => warnings.length, (n) => n >= 2, 'two reminders');
      expect(warnings.slice(0, 2)).toEqual([expect.stringMatching(/expires on .* \(in 5 days\)/), expect.stringMatching(/expires on .* \(in 5 days\)/)]);
    } finally {
      await reloader.close?.();
      await dispatcher.close();
    }
  });
});
