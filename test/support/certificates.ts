// Certificate material in every form a developer may hold, issued by the test upstream's CA
// (or a stranger's), written to files the way the proxy reads them.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCertificateAuthority, encryptPrivateKeyPem, issueCertificate, toPkcs12, type IssuedCertificate } from '../../src/demo/index.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface WrittenIdentity {
  readonly issued: IssuedCertificate;
  readonly certPath: string;
  readonly keyPath: string;
}

export function writeKeyFile(file: string, pem: string): string {
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** Writes `<name>.pem` and `<name>-key.pem` into `dir`. */
export function writeIdentity(dir: string, name: string, issued: IssuedCertificate): WrittenIdentity {
  const certPath = path.join(dir, `${name}.pem`);
  writeFileSync(certPath, issued.certPem);
  return { issued, certPath, keyPath: writeKeyFile(path.join(dir, `${name}-key.pem`), issued.keyPem) };
}

export interface ClientOptions {
  commonName?: string;
  notBefore?: Date;
  notAfter?: Date;
  keyBits?: number;
}

export function issueClient(issuer: IssuedCertificate, options: ClientOptions = {}): IssuedCertificate {
  return issueCertificate({
    issuer,
    usage: 'client',
    commonName: options.commonName ?? 'hr_integration-TE1002-tests',
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    ...(options.notAfter ? { notAfter: options.notAfter } : {}),
    ...(options.keyBits ? { keyBits: options.keyBits } : {}),
  });
}

export function strangerCa(): IssuedCertificate {
  return createCertificateAuthority({ commonName: 'Not the Ons CA' });
}

export function writeEncryptedKey(dir: string, name: string, issued: IssuedCertificate, passphrase: string): string {
  return writeKeyFile(path.join(dir, `${name}-key.enc.pem`), encryptPrivateKeyPem(issued.keyPem, passphrase));
}

export function writePfx(dir: string, name: string, issued: IssuedCertificate, passphrase: string, algorithm: 'aes256' | '3des' = 'aes256'): string {
  const file = path.join(dir, `${name}.p12`);
  writeFileSync(file, toPkcs12(issued, passphrase, [], { algorithm }), { mode: 0o600 });
  return file;
}
