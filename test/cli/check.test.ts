// `ons-proxy check` as a developer runs it, against an upstream that accepts the certificate,
// one that refuses it (over HTTP like Ons, and during the handshake like a strict server),
// one answering 403 for another environment, and one the proxy must not trust.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { startUpstream, upstreamEnv, type Upstream } from '../support/harness.js';
import { issueClient, strangerCa, writeIdentity, type WrittenIdentity } from '../support/certificates.js';

let upstream: Upstream;
let stranger: WrittenIdentity;
let strangerCaPath: string;
let strict: { server: Server; url: string };

/** A server that refuses unknown client certificates in the handshake and answers /ping with 403. */
async function startStrictServer(): Promise<{ server: Server; url: string }> {
  const server = createServer(
    { cert: upstream.pki.server.certPem, key: upstream.pki.server.keyPem, ca: upstream.pki.ca.certPem, requestCert: true, rejectUnauthorized: true },
    (_request, response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end('{"errorResponseEntries":[{"field":"certificate","value":"","message":"Certificate not valid for this environment"}]}');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://localhost:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  upstream = await startUpstream();
  const otherCa = strangerCa();
  stranger = writeIdentity(upstream.dir, 'stranger', issueClient(otherCa));
  strangerCaPath = writeIdentity(upstream.dir, 'stranger-ca', otherCa).certPath;
  strict = await startStrictServer();
});
afterAll(async () => {
  strict.server.closeAllConnections();
  await new Promise((resolve) => strict.server.close(resolve));
  await upstream.close();
});

function check(env: Record<string, string>, args: string[] = []): Promise<CliResult> {
  return runCli(['check', ...args], {
    cwd: upstream.dir,
    env: {
      ...upstreamEnv(upstream),
      // An empty cache of its own: never the user's downloaded API document.
      XDG_CACHE_HOME: path.join(upstream.dir, 'cache'),
      ...env,
    },
  });
}

/** "status step" pairs of the text output, e.g. "ok ping". */
function stepLines(output: string): string[] {
  return output.split('\n').filter((line) => /^(ok|warning|FAILED|skipped) /.test(line)).map((line) => line.split(/\s+/).slice(0, 2).join(' '));
}

describe('ons-proxy check', () => {
  it('walks through every step and exits 0 when Ons answers /ping with 200', async () => {
    upstream.mock.resetStats();
    const result = await check({});
    expect(result.code).toBe(0);
    expect(stepLines(result.stdout)).toEqual(['ok configuration', 'ok files', 'ok certificate', 'warning certificate', 'ok key', 'ok handshake', 'ok ping', 'warning openapi']);
    // Advice only (the exit status stays 0), and no network call of its own.
    expect(result.stdout).toMatch(/warning\s+openapi\s+no API document cached; it adds operation names on every record, .*Run "ons-proxy openapi update" once to fetch it\./);
    expect(result.stdout).toMatch(/ok\s+certificate\s+demo_integration-TE1002-demo, issued by ons-mtls-proxy demo CA \(throwaway\), serial [0-9A-F]+, valid until \d{4}-\d\d-\d\d \(364 days left\)/);
    expect(result.stdout).toMatch(/warning\s+certificate\s+The private key is RSA 2048 bits; Ons requires RSA 4096/);
    expect(result.stdout).toMatch(/ok\s+handshake\s+TLSv1\.3, TLS_AES_\w+, server CN=localhost; the server accepted the client certificate/);
    expect(result.stdout).toMatch(/ok\s+ping\s+GET \/ping answered 200: the certificate works for development/);
    // The probe and the ping through the proxy both presented the configured certificate.
    expect(upstream.mock.stats.clientSerials).toEqual([upstream.pki.client.serialNumber, upstream.pki.client.serialNumber]);
  });

  it('prints the same steps as JSON with --json', async () => {
    const result = await check({}, ['--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; profiles: Array<{ profile: string; ok: boolean; steps: Array<{ step: string; status: string; details?: Record<string, unknown> }> }> };
    expect(report.ok).toBe(true);
    expect(report.profiles).toHaveLength(1);
    const steps = report.profiles[0]?.steps ?? [];
    expect(steps.map((s) => `${s.status} ${s.step}`)).toEqual(['ok configuration', 'ok files', 'ok certificate', 'warning certificate', 'ok key', 'ok handshake', 'ok ping', 'warning openapi']);
    expect(steps.find((s) => s.step === 'certificate')?.details).toMatchObject({ serialNumber: upstream.pki.client.serialNumber, commonName: 'demo_integration-TE1002-demo' });
    expect(steps.find((s) => s.step === 'handshake')?.details).toMatchObject({ protocol: 'TLSv1.3', serverSubject: 'CN=localhost', clientCertificateAccepted: true });
  });

  it('explains a 495 from an upstream that does not accept the certificate, and exits 1', async () => {
    const result = await check({ ONS_PROXY_CERT: stranger.certPath, ONS_PROXY_KEY: stranger.keyPath });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/warning\s+handshake\s+.*the server does not accept the client certificate \(it answers 495\)/);
    expect(result.stdout).toMatch(/FAILED\s+ping\s+GET \/ping answered 495: the certificate is invalid: expired, or not signed by Ons's CA for development/);
  });

  it('names a client certificate refused during the handshake', async () => {
    const result = await check({ ONS_PROXY_UPSTREAM: strict.url, ONS_PROXY_CERT: stranger.certPath, ONS_PROXY_KEY: stranger.keyPath });
    expect(result.code).toBe(1);
    expect(stepLines(result.stdout).slice(-3)).toEqual(['FAILED handshake', 'skipped ping', 'warning openapi']);
    expect(result.stdout).toMatch(/FAILED\s+handshake\s+.*(refused the client certificate)/);
  });

  it('explains a 403 on /ping as a certificate for another environment', async () => {
    const result = await check({ ONS_PROXY_UPSTREAM: strict.url });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ok\s+handshake/);
    expect(result.stdout).toMatch(/FAILED\s+ping\s+GET \/ping answered 403: the certificate does not belong to development/);
  });

  it('fails the handshake when the upstream is signed by a CA the proxy does not trust', async () => {
    const result = await check({ ONS_PROXY_CA: strangerCaPath });
    expect(result.code).toBe(1);
    expect(stepLines(result.stdout).slice(-3)).toEqual(['FAILED handshake', 'skipped ping', 'warning openapi']);
    expect(result.stdout).toMatch(/FAILED\s+handshake\s+The server certificate of localhost:\d+ is not trusted \(\w+: .*\): set ONS_PROXY_CA to the CA chain file/);
  });

  it('reports a configuration that does not load, and exits 2', async () => {
    const result = await check({ ONS_PROXY_PORT: 'eighty' });
    expect(result.code).toBe(2);
    expect(stepLines(result.stdout)).toEqual(['FAILED configuration']);
  });
});
