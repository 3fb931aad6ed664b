import fs from 'node:fs';
import tls from 'node:tls';
import { UserError } from '../config/errors.js';

/** What the proxy needs to be a TLS client: the client identity and the CAs it trusts. */
export interface ClientMaterialSources {
  cert?: string | undefined;
  key?: string | undefined;
  pfx?: string | undefined;
  passphrase?: string | undefined;
  passphraseFile?: string | undefined;
  ca?: string | undefined;
}

export interface ClientMaterial {
  readonly cert?: string;
  readonly key?: string;
  readonly pfx?: Buffer;
  readonly passphrase?: string;
  /** Extra trusted CAs (PEM), on top of the default store. */
  readonly extraCa?: string;
  /** The files this material was read from, for watching and messages. */
  readonly files: readonly string[];
}

export function readMaterialFile(file: string, what: string, setting: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder, not a file' : (error as Error).message;
    throw new UserError(`Cannot read the ${what} ${file} (${setting}): ${reason}. Check the path.`);
  }
}

function readPassphrase(sources: ClientMaterialSources): string | undefined {
  if (sources.passphrase !== undefined) return sources.passphrase;
  if (sources.passphraseFile === undefined) return undefined;
  const text = readMaterialFile(sources.passphraseFile, 'passphrase file', 'ONS_PROXY_PASSPHRASE_FILE').toString('utf8');
  return text.split(/\r?\n/, 1)[0] ?? '';
}

/** Reads the configured files; says which setting is missing when the identity is incomplete. */
export function readClientMaterial(sources: ClientMaterialSources): ClientMaterial {
  if (sources.pfx && (sources.cert || sources.key)) {
    throw new UserError('Both ONS_PROXY_PFX and ONS_PROXY_CERT/ONS_PROXY_KEY are set: use either the PKCS#12 file or the PEM pair, not both.');
  }
  if (!sources.pfx && !sources.cert && !sources.key) {
    throw new UserError('No client certificate configured: set ONS_PROXY_CERT and ONS_PROXY_KEY (PEM) or ONS_PROXY_PFX (PKCS#12) in .env or the environment. To try the tool without one, run `npm run demo`.');
  }
  if (!sources.pfx && !sources.key) throw new UserError('ONS_PROXY_CERT is set but ONS_PROXY_KEY is not: point ONS_PROXY_KEY at the private key that belongs to the certificate.');
  if (!sources.pfx && !sources.cert) throw new UserError('ONS_PROXY_KEY is set but ONS_PROXY_CERT is not: point ONS_PROXY_CERT at the certificate (PEM) that Ons signed.');

  const files: string[] = [];
  const passphrase = readPassphrase(sources);
  const material: { -readonly [K in keyof ClientMaterial]: ClientMaterial[K] } = { files };
  if (passphrase !== undefined) material.passphrase = passphrase;
  if (sources.pfx) {
    material.pfx = readMaterialFile(sources.pfx, 'PKCS#12 file', 'ONS_PROXY_PFX');
    files.push(sources.pfx);
  } else if (sources.cert && sources.key) {
    material.cert = readMaterialFile(sources.cert, 'certificate', 'ONS_PROXY_CERT').toString('utf8');
    material.key = readMaterialFile(sources.key, 'private key', 'ONS_PROXY_KEY').toString('utf8');
    files.push(sources.cert, sources.key);
  }
  if (sources.ca) {
    material.extraCa = readMaterialFile(sources.ca, 'CA bundle', 'ONS_PROXY_CA').toString('utf8');
    files.push(sources.ca);
  }
  if (sources.passphraseFile) files.push(sources.passphraseFile);
  return material;
}

/** The CAs trusted for the upstream: the default store (system/bundled) plus the extra bundle. */
export function trustedCas(extraCa: string | undefined): string[] {
  // Node >= 22.15 exposes the effective default store (with NODE_EXTRA_CA_CERTS and
  // --use-system-ca); older Nodes only have the bundled Mozilla roots.
  const withDefaults = tls as typeof tls & { getCACertificates?: (type?: string) => string[] };
  const defaults = typeof withDefaults.getCACertificates === 'function' ? withDefaults.getCACertificates('default') : [...tls.rootCertificates];
  return extraCa ? [...defaults, extraCa] : defaults;
}

/**
 * Builds the secure context once, so each new upstream connection reuses the parsed
 * key, chain and CA store instead of parsing them again per handshake.
 */
export function createClientSecureContext(material: ClientMaterial): tls.SecureContext {
  const options: tls.SecureContextOptions = { ca: trustedCas(material.extraCa), minVersion: 'TLSv1.2' };
  if (material.pfx) options.pfx = material.pfx;
  if (material.cert) options.cert = material.cert;
  if (material.key) options.key = material.key;
  if (material.passphrase !== undefined) options.passphrase = material.passphrase;
  try {
    return tls.createSecureContext(options);
  } catch (error) {
    throw new UserError(describeSecureContextError(error as Error & { code?: string }, material));
  }
}

function describeSecureContextError(error: Error & { code?: string }, material: ClientMaterial): string {
  const message = error.message;
  const where = material.files.join(', ');
  if (/bad decrypt|mac verify failure|bad password|BAD_PASSWORD|interrupted or cancelled/i.test(message)) {
    return material.passphrase === undefined
      ? `The private key in ${where} is encrypted: set ONS_PROXY_PASSPHRASE or ONS_PROXY_PASSPHRASE_FILE.`
      : `Wrong passphrase for ${where}: check ONS_PROXY_PASSPHRASE or ONS_PROXY_PASSPHRASE_FILE.`;
  }
  if (/key values mismatch|KEY_VALUES_MISMATCH/i.test(message)) {
    return `The private key does not belong to the certificate (${where}): point ONS_PROXY_KEY at the key you made the CSR with.`;
  }
  if (/no start line|bad base64|unsupported|wrong tag|not enough data|header too long|asn1/i.test(message)) {
    return `Cannot parse the certificate material in ${where} (${message}): expected PEM files (-----BEGIN CERTIFICATE----- / -----BEGIN PRIVATE KEY-----) or a PKCS#12 file.`;
  }
  return `Cannot use the certificate material in ${where}: ${message}.`;
}
