import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_COMMON_NAME,
  createCertificateAuthority,
  encryptPrivateKeyPem,
  generateRsaKeyPem,
  issueCertificate,
  toPkcs12,
  writeDemoPki,
} from '../../src/demo/index.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('pki', () => {
  const ca = createCertificateAuthority({ commonName: 'Test CA' });

  it('reports serial numbers exactly as Node formats them', () => {
    const keyPem = ca.keyPem; // reusing a key keeps this loop fast; the key is irrelevant here
    for (const serialNumber of ['01', '0a1b', '00ff', '80', '7fabcdef12', '000123']) {
      const cert = issueCertificate({ issuer: ca, commonName: 'c', usage: 'client', serialNumber, keyPem });
      expect(cert.serialNumber).toBe(new X509Certificate(cert.certPem).serialNumber);
    }
    const random = issueCertificate({ issuer: ca, commonName: 'c', usage: 'client', keyPem });
    expect(random.serialNumber).toBe(new X509Certificate(random.certPem).serialNumber);
  });

  it('encodes subject names as Ons does, so strict parsers (Go: Caddy, Traefik) accept the certificates', () => {
    const client = issueCertificate({ issuer: ca, commonName: DEMO_CLIENT_COMMON_NAME, usage: 'client', keyPem: ca.keyPem, subject: { O: 'Zorggroep Zoë', C: 'NL', emailAddress: 'dev@example.invalid' } });
    const types = Object.fromEntries(forge.pki.certificateFromPem(client.certPem).subject.attributes.map((field) => [field.shortName ?? field.name, Number(field.valueTagClass)]));
    // A PrintableString cannot hold the "_" of an Ons common name; Go's x509 refuses a certificate that uses one for it.
    expect(types).toEqual({ CN: forge.asn1.Type.UTF8, O: forge.asn1.Type.UTF8, C: forge.asn1.Type.PRINTABLESTRING, E: forge.asn1.Type.IA5STRING });
    expect(new X509Certificate(client.certPem).subject).toContain('O=Zorggroep Zoë');
  });

  it('issues a server certificate for localhost and loopback addresses, signed by the CA', () => {
    const server = issueCertificate({ issuer: ca, commonName: 'localhost', usage: 'server' });
    const x = new X509Certificate(server.certPem);
    expect(x.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(x.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkIP('::1')).toBe('::1');
    expect(x.ca).toBe(false);
    expect(new X509Certificate(ca.certPem).ca).toBe(true);
  });

  it('reuses a given key, so a renewed certificate can keep its key', async () => {
    const keyPem = await generateRsaKeyPem();
    const first = issueCertificate({ issuer: ca, commonName: 'same', usage: 'client', keyPem });
    const renewed = issueCertificate({ issuer: ca, commonName: 'same', usage: 'client', keyPem });
    expect(renewed.serialNumber).not.toBe(first.serialNumber);
    const spki = (pem: string): string => new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(spki(renewed.certPem)).toBe(spki(first.certPem));
    expect(createPrivateKey(renewed.keyPem).export({ type: 'pkcs8', format: 'pem' })).toBe(keyPem);
  });

  it('honours validity dates', () => {
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2020-02-01T00:00:00Z');
    const cert = issueCertificate({ issuer: ca, commonName: 'old', usage: 'client', notBefore, notAfter });
    const x = new X509Certificate(cert.certPem);
    expect(new Date(x.validTo).getTime()).toBe(notAfter.getTime());
    expect(new Date(x.validFrom).getTime()).toBe(notBefore.getTime());
  });

  it('writes the demo PKI with private keys at mode 0600, quickly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-pki-'));
    dirs.push(dir);
    const started = performance.now();
    const pki = await writeDemoPki(dir);
    // Typically ~300 ms; the bound is loose because CI machines share cores. 4096-bit keys would blow it.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(new X509Certificate(pki.client.certPem).publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    for (const path of [pki.server.keyPath, pki.client.keyPath]) {
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    }
    const client = new X509Certificate(await readFile(pki.client.certPath));
    expect(client.subject.split('\n')).toEqual([
      `CN=${DEMO_CLIENT_COMMON_NAME}`,
      'OU=Demo',
      'O=ons-mtls-proxy demo',
      'L=Groningen',
      'ST=Groningen',
      'C=NL',
      'emailAddress=demo@example.invalid',
    ]);
    expect(client.serialNumber).toBe(pki.client.serialNumber);
    expect(client.checkIssued(new X509Certificate(await readFile(pki.ca.certPath)))).toBe(true);
    expect(await readFile(pki.client.keyPath, 'utf8')).toBe(pki.client.keyPem);
  });

  it('encrypts a private key so Node accepts it only with the right passphrase', () => {
    const cert = issueCertificate({ issuer: ca, commonName: 'enc', usage: 'client' });
    const encrypted = encryptPrivateKeyPem(cert.keyPem, 'geheim');
    expect(encrypted).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    expect(createPrivateKey({ key: encrypted, passphrase: 'geheim' }).asymmetricKeyType).toBe('rsa');
    expect(() => createSecureContext({ cert: cert.certPem, key: encrypted, passphrase: 'geheim' })).not.toThrow();
    expect(() => createSecureContext({ cert: cert.certPem, key: encrypted, passphrase: 'fout' })).toThrow();
    expect(() => createPrivateKey({ key: encrypted, passphrase: 'fout' })).toThrow();
  });

  it.each(['aes256', '3des'] as const)('builds a PKCS#12 (%s) that Node accepts only with the right passphrase', (algorithm) => {
    const cert = issueCertificate({ issuer: ca, commonName: 'p12', usage: 'client' });
    const pfx = toPkcs12(cert, 'geheim', [ca.certPem], { algorithm });
    expect(() => createSecureContext({ pfx, passphrase: 'geheim' })).not.toThrow();
    expect(() => createSecureContext({ pfx, passphrase: 'fout' })).toThrow(/mac verify failure|bad decrypt/i);
  });
});
