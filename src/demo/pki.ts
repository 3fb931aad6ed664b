/**
 * Throwaway certificates for the demo and for tests: a private CA, a server certificate
 * for the embedded mock, and an Ons-style client certificate.
 *
 * Keys come from Node's native RSA generator (milliseconds) and are handed to node-forge
 * only for building and signing X.509 structures, which Node cannot do by itself.
 */
import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairAsync, generateKeyPairSync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { subjectField } from '../tls/forge.js';

/** Subject fields Ons requires on a CSR (all must be filled for a real certificate). */
export interface SubjectFields {
  OU: string;
  O: string;
  L: string;
  ST: string;
  C: string;
  emailAddress: string;
}

export interface IssuedCertificate {
  certPem: string;
  /** Unencrypted PKCS#8 PEM. */
  keyPem: string;
  /** Formatted exactly like Node's `X509Certificate.serialNumber`, so values compare with `===`. */
  serialNumber: string;
  commonName: string;
}

export interface CertificateAuthorityOptions {
  commonName: string;
  keyBits?: number;
  /** Use this private key (PEM) instead of generating one. */
  keyPem?: string;
  notBefore?: Date;
  notAfter?: Date;
}

export interface IssueCertificateOptions {
  issuer: IssuedCertificate;
  commonName: string;
  subject?: Partial<SubjectFields>;
  usage: 'server' | 'client';
  /** DNS names and IP addresses; server certificates default to localhost, 127.0.0.1 and ::1. */
  altNames?: string[];
  notBefore?: Date;
  notAfter?: Date;
  keyBits?: number;
  /** Use this private key (PEM) instead of generating one, e.g. to renew a certificate with the same key. */
  keyPem?: string;
  /** Hex; random when omitted. */
  serialNumber?: string;
}

// Throwaway keys: 2048 bits keeps generation fast. Real Ons certificates need 4096.
const DEFAULT_KEY_BITS = 2048;
const DAY_MS = 24 * 60 * 60 * 1000;
// Backdate a little so a client whose clock runs slightly behind still accepts the cert.
const CLOCK_SKEW_MS = 5 * 60 * 1000;
export const DEFAULT_SERVER_ALT_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

const SUBJECT_ATTRIBUTE_NAMES: Record<keyof SubjectFields, string> = {
  OU: 'organizationalUnitName',
  O: 'organizationName',
  L: 'localityName',
  ST: 'stateOrProvinceName',
  C: 'countryName',
  emailAddress: 'emailAddress',
};

interface KeyPair {
  forgePrivate: forge.pki.rsa.PrivateKey;
  forgePublic: forge.pki.rsa.PublicKey;
  keyPem: string;
}

function toKeyPair(keyPem: string): KeyPair {
  const privateKey = createPrivateKey(keyPem);
  return {
    // forge's PEM reader understands PKCS#1 for private keys, so hand it that form.
    forgePrivate: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forgePublic: forge.pki.publicKeyFromPem(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString()),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function keyPairFor(opts: { keyPem?: string; keyBits?: number }): KeyPair {
  if (opts.keyPem !== undefined) return toKeyPair(opts.keyPem);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: opts.keyBits ?? DEFAULT_KEY_BITS });
  return toKeyPair(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

const generateKeyPairPromise = promisify(generateKeyPairAsync);

/** Generates an RSA private key (PKCS#8 PEM) on the libuv thread pool, so several run in parallel. */
export async function generateRsaKeyPem(bits = DEFAULT_KEY_BITS): Promise<string> {
  const { privateKey } = await generateKeyPairPromise('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return privateKey;
}

/**
 * Normalises a hex serial into the DER form forge writes (minimal, positive) and the form
 * Node reports (uppercase, whole bytes, no leading zero bytes).
 */
function normaliseSerial(hex: string): { der: string; display: string } {
  const clean = hex.toLowerCase().replace(/^0x/, '').replace(/:/g, '');
  if (!/^[0-9a-f]+$/.test(clean)) throw new Error(`serial number is not hex: ${hex}`);
  let minimal = clean.replace(/^0+/, '');
  if (minimal === '') throw new Error('serial number must be positive');
  if (minimal.length % 2 === 1) minimal = `0${minimal}`;
  // DER integers are signed: a high first bit needs a zero byte in front to stay positive.
  const needsPad = parseInt(minimal.slice(0, 2), 16) >= 0x80;
  return { der: needsPad ? `00${minimal}` : minimal, display: minimal.toUpperCase() };
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  // First byte in 0x01..0x7f: positive and without a leading zero byte.
  bytes[0] = ((bytes[0] ?? 1) & 0x7f) || 0x01;
  return bytes.toString('hex');
}

// As Ons's certificates and our CSRs encode them, so that strict parsers (Go's) read the demo's certificates too.
const ATTRIBUTE_TYPES: Record<keyof SubjectFields, forge.asn1.Type> = {
  OU: forge.asn1.Type.UTF8,
  O: forge.asn1.Type.UTF8,
  L: forge.asn1.Type.UTF8,
  ST: forge.asn1.Type.UTF8,
  C: forge.asn1.Type.PRINTABLESTRING,
  emailAddress: forge.asn1.Type.IA5STRING,
};

function subjectAttributes(commonName: string, subject: Partial<SubjectFields> = {}): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [subjectField('commonName', commonName, forge.asn1.Type.UTF8)];
  for (const key of Object.keys(SUBJECT_ATTRIBUTE_NAMES) as (keyof SubjectFields)[]) {
    const value = subject[key];
    if (value !== undefined && value !== '') attrs.push(subjectField(SUBJECT_ATTRIBUTE_NAMES[key], value, ATTRIBUTE_TYPES[key]));
  }
  return attrs;
}

function altNameEntries(names: readonly string[]): { type: number; value?: string; ip?: string }[] {
  // GeneralName tags: 2 = dNSName, 7 = iPAddress.
  return names.map((name) => (isIP(name) !== 0 ? { type: 7, ip: name } : { type: 2, value: name }));
}

function validity(notBefore?: Date, notAfter?: Date, defaultDays = 365): { notBefore: Date; notAfter: Date } {
  const start = notBefore ?? new Date(Date.now() - CLOCK_SKEW_MS);
  return { notBefore: start, notAfter: notAfter ?? new Date(start.getTime() + defaultDays * DAY_MS) };
}

export function createCertificateAuthority(opts: CertificateAuthorityOptions): IssuedCertificate {
  const keys = keyPairFor(opts);
  const serial = normaliseSerial(randomSerial());
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.forgePublic;
  cert.serialNumber = serial.der;
  Object.assign(cert.validity, validity(opts.notBefore, opts.notAfter, 3650));
  const attrs = subjectAttributes(opts.commonName);
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.forgePrivate, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: keys.keyPem,
    serialNumber: serial.display,
    commonName: opts.commonName,
  };
}

export function issueCertificate(opts: IssueCertificateOptions): IssuedCertificate {
  const issuerCert = forge.pki.certificateFromPem(opts.issuer.certPem);
  const issuerKey = forge.pki.privateKeyFromPem(
    createPrivateKey(opts.issuer.keyPem).export({ type: 'pkcs1', format: 'pem' }).toString(),
  );
  const keys = keyPairFor(opts);
  const serial = normaliseSerial(opts.serialNumber ?? randomSerial());
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.forgePublic;
  cert.serialNumber = serial.der;
  Object.assign(cert.validity, validity(opts.notBefore, opts.notAfter));
  cert.setSubject(subjectAttributes(opts.commonName, opts.subject));
  cert.setIssuer(issuerCert.subject.attributes);

  const altNames = opts.altNames ?? (opts.usage === 'server' ? DEFAULT_SERVER_ALT_NAMES : []);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    opts.usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    // Lets OpenSSL pick the right issuer when several CAs share a subject (e.g. in tests).
    { name: 'authorityKeyIdentifier', keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames: altNameEntries(altNames) });
  cert.setExtensions(extensions);
  cert.sign(issuerKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: keys.keyPem,
    serialNumber: serial.display,
    commonName: opts.commonName,
  };
}

/** Encrypted PKCS#8 PEM (AES-256-CBC, PBKDF2), as `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes it. */
export function encryptPrivateKeyPem(keyPem: string, passphrase: string): string {
  return createPrivateKey(keyPem)
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    .toString();
}

export interface Pkcs12Options {
  /** 'aes256' (PBES2) by default; '3des' for old readers. */
  algorithm?: 'aes256' | '3des';
  friendlyName?: string;
}

/**
 * A .p12/.pfx holding the key, the certificate and an optional chain (PEM strings, issuer first).
 * forge can only MAC with SHA-1; OpenSSL 3 still reads that.
 */
export function toPkcs12(cert: IssuedCertificate, passphrase: string, chain: string[] = [], options: Pkcs12Options = {}): Buffer {
  const key = forge.pki.privateKeyFromPem(createPrivateKey(cert.keyPem).export({ type: 'pkcs1', format: 'pem' }).toString());
  const certs = [cert.certPem, ...chain].map((pem) => forge.pki.certificateFromPem(pem));
  const algorithm = options.algorithm ?? 'aes256';
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, passphrase, {
    algorithm,
    // Only meaningful for PBES2; forge passes it through to the key bag encryption.
    ...(algorithm === 'aes256' ? { prfAlgorithm: 'sha256' } : {}),
    // forge runs PBKDF2 in JavaScript; 2048 rounds keeps throwaway files fast to build.
    count: 2048,
    friendlyName: options.friendlyName ?? cert.commonName,
  } as Parameters<typeof forge.pkcs12.toPkcs12Asn1>[3]);
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
