import fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
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

/** The identity in one of its two forms, as read from disk. */
export type ClientIdentitySource =
  | { readonly form: 'pem'; readonly certFile: string; readonly cert: string; readonly keyFile: string; readonly key: string }
  | { readonly form: 'pkcs12'; readonly pfxFile: string; readonly pfx: Buffer };

export interface ClientMaterial {
  readonly identity: ClientIdentitySource;
  readonly passphrase?: string;
  /** Extra trusted CAs (PEM), on top of the default store. */
  readonly extraCa?: string;
  readonly caFile?: string;
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

/** PEM text of a certificate file; a DER file (what some browsers export) is converted. */
function certificateText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN')) return text;
  try {
    return new X509Certificate(bytes).toString();
  } catch {
    return text; // not DER either: the identity check names the problem
  }
}

/** Reads the configured files; says which setting is missing when the identity is incomplete. */
export function readClientMaterial(sources: ClientMaterialSources): ClientMaterial {
  if (sources.pfx && (sources.cert || sources.key)) {
    throw new UserError('Both ONS_PROXY_PFX and ONS_PROXY_CERT/ONS_PROXY_KEY are set: use either the PKCS#12 file or the PEM pair, not both.');
  }
  if (!sources.pfx && !sources.cert && !sources.key) {
    throw new UserError('No client certificate configured: set ONS_PROXY_CERT and ONS_PROXY_KEY (PEM) or ONS_PROXY_PFX (PKCS#12) in .env or the environment. To try the tool without one, run `ons-proxy demo` (`npm run demo` in a clone of the repository).');
  }
  if (!sources.pfx && !sources.key) throw new UserError('ONS_PROXY_CERT is set but ONS_PROXY_KEY is not: point ONS_PROXY_KEY at the private key that belongs to the certificate.');
  if (!sources.pfx && !sources.cert) throw new UserError('ONS_PROXY_KEY is set but ONS_PROXY_CERT is not: point ONS_PROXY_CERT at the certificate (PEM) that Ons signed.');

  let identity: ClientIdentitySource;
  if (sources.pfx) {
    identity = { form: 'pkcs12', pfxFile: sources.pfx, pfx: readMaterialFile(sources.pfx, 'PKCS#12 file', 'ONS_PROXY_PFX') };
  } else {
    const certFile = sources.cert as string;
    const keyFile = sources.key as string;
    const cert = certificateText(readMaterialFile(certFile, 'certificate', 'ONS_PROXY_CERT'));
    const key = readMaterialFile(keyFile, 'private key', 'ONS_PROXY_KEY').toString('utf8');
    identity = { form: 'pem', certFile, cert, keyFile, key };
  }
  const passphrase = readPassphrase(sources);
  const extraCa = sources.ca ? readMaterialFile(sources.ca, 'CA bundle', 'ONS_PROXY_CA').toString('utf8') : undefined;
  const files = [
    ...(identity.form === 'pkcs12' ? [identity.pfxFile] : [identity.certFile, identity.keyFile]),
    ...(sources.ca ? [sources.ca] : []),
    ...(sources.passphrase === undefined && sources.passphraseFile ? [sources.passphraseFile] : []),
  ];
  return {
    identity,
    files,
    ...(passphrase !== undefined ? { passphrase } : {}),
    ...(extraCa !== undefined ? { extraCa } : {}),
    ...(sources.ca ? { caFile: sources.ca } : {}),
  };
}

/**
 * The CAs trusted for the upstream as one explicit list: the default store plus the extra
 * bundle. Node >= 22.15 exposes the effective default store (with NODE_EXTRA_CA_CERTS and
 * --use-system-ca); older Nodes only have the bundled Mozilla roots. Undefined on those older
 * Nodes: there the bundle is added to the context's default store instead (see
 * createClientSecureContext), which trusts the same roots without parsing them again.
 */
export function trustedCaList(extraCa: string): string[] | undefined {
  const withDefaults = tls as typeof tls & { getCACertificates?: (type?: string) => string[] };
  return typeof withDefaults.getCACertificates === 'function' ? [...withDefaults.getCACertificates('default'), extraCa] : undefined;
}

/** The bundled roots plus the extra bundle, for a Node whose default store cannot be extended in place. */
export function bundledRootsAnd(extraCa: string): string[] {
  return [...tls.rootCertificates, extraCa];
}
