// Every form of client certificate reaches the upstream as the same identity: the mock
// records the serial of the certificate each request presented.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyConfig } from '../../src/config/load.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { issueClient, writeEncryptedKey, writeIdentity, writePfx, type WrittenIdentity } from '../support/certificates.js';

const run = promisify(execFile);

let upstream: Upstream;
let client: WrittenIdentity;

beforeAll(async () => {
  upstream = await startUpstream();
  client = writeIdentity(upstream.dir, 'forms', issueClient(upstream.pki.ca));
});
afterAll(async () => upstream.close());

async function serialSeenUpstream(overrides: Partial<ProxyConfig>): Promise<string | undefined> {
  const proxy = await startProxy(upstream, { cert: undefined, key: undefined, ...overrides });
  try {
    upstream.mock.resetStats();
    const response = await request(`${proxy.url}/ping`);
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('pong');
    return upstream.mock.stats.clientSerials.at(-1);
  } finally {
    await proxy.close();
  }
}

describe('certificate forms', () => {
  it('PEM certificate and unencrypted PEM key', async () => {
    expect(await serialSeenUpstream({ cert: client.certPath, key: client.keyPath })).toBe(client.issued.serialNumber);
  });

  it('PEM certificate followed by its chain, and a file that lists the chain first', async () => {
    const chained = path.join(upstream.dir, 'chained.pem');
    writeFileSync(chained, client.issued.certPem + upstream.pki.ca.certPem);
    expect(await serialSeenUpstream({ cert: chained, key: client.keyPath })).toBe(client.issued.serialNumber);
    const chainFirst = path.join(upstream.dir, 'chain-first.pem');
    writeFileSync(chainFirst, upstream.pki.ca.certPem + client.issued.certPem);
    expect(await serialSeenUpstream({ cert: chainFirst, key: client.keyPath })).toBe(client.issued.serialNumber);
  });

  it('DER certificate', async () => {
    const der = path.join(upstream.dir, 'forms.der');
    writeFileSync(der, new X509Certificate(client.issued.certPem).raw);
    expect(await serialSeenUpstream({ cert: der, key: client.keyPath })).toBe(client.issued.serialNumber);
  });

  it('encrypted PEM key with the passphrase from ONS_PROXY_PASSPHRASE or from a file', async () => {
    const encrypted = writeEncryptedKey(upstream.dir, 'forms', client.issued, 'correct horse');
    expect(await serialSeenUpstream({ cert: client.certPath, key: encrypted, passphrase: 'correct horse' })).toBe(client.issued.serialNumber);
    const passphraseFile = path.join(upstream.dir, 'passphrase.txt');
    writeFileSync(passphraseFile, 'correct horse\n', { mode: 0o600 });
    expect(await serialSeenUpstream({ cert: client.certPath, key: encrypted, passphraseFile })).toBe(client.issued.serialNumber);
  });

  it('PKCS#12 file, AES-256 and legacy 3DES', async () => {
    const modern = writePfx(upstream.dir, 'forms-aes', client.issued, 'pfx pass');
    expect(await serialSeenUpstream({ pfx: modern, passphrase: 'pfx pass' })).toBe(client.issued.serialNumber);
    const legacy = writePfx(upstream.dir, 'forms-3des', client.issued, 'pfx pass', '3des');
    expect(await serialSeenUpstream({ pfx: legacy, passphrase: 'pfx pass' })).toBe(client.issued.serialNumber);
  });

  it('PKCS#12 files made by openssl: its default and an old-style RC2/3DES export', async () => {
    // OpenSSL 3 refuses RC2 without its legacy provider; Windows and older tools still make such files.
    for (const [name, extra] of [['openssl-default', []], ['openssl-legacy', ['-legacy']]] as const) {
      const file = path.join(upstream.dir, `${name}.p12`);
      await run('openssl', ['pkcs12', '-export', ...extra, '-in', client.certPath, '-inkey', client.keyPath, '-out', file, '-passout', 'pass:from openssl']);
      expect(await serialSeenUpstream({ pfx: file, passphrase: 'from openssl' }), name).toBe(client.issued.serialNumber);
    }
  });

  it('reports the certificate on GET /__proxy/status', async () => {
    const proxy = await startProxy(upstream, { cert: client.certPath, key: client.keyPath });
    try {
      const status = (await (await request(`${proxy.url}/__proxy/status`)).body.json()) as { certificate: Record<string, unknown> };
      const x509 = new X509Certificate(client.issued.certPem);
      expect(status.certificate).toMatchObject({
        commonName: 'hr_integration-TE1002-tests',
        serialNumber: client.issued.serialNumber,
        fingerprint256: x509.fingerprint256,
        issuer: 'CN=ons-mtls-proxy demo CA (throwaway)',
        validTo: new Date(x509.validTo).toISOString(),
        daysLeft: 364,
        lastReload: null,
      });
      expect(status.certificate.files).toEqual([client.certPath, client.keyPath, upstream.pki.ca.certPath]);
    } finally {
      await proxy.close();
    }
  });
});
