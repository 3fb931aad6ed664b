/**
 * The demo's ready-made PKI: one throwaway CA, a server certificate for the embedded mock on
 * localhost, and a client certificate shaped like an Ons development certificate.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProxyConfig } from '../config/load.js';
import {
  type IssuedCertificate,
  type SubjectFields,
  createCertificateAuthority,
  generateRsaKeyPem,
  issueCertificate,
} from './pki.js';

/** CN in the Ons pattern `{technical_name}-{customer_code}-{identification}`; TE1002 is development. */
export const DEMO_CLIENT_COMMON_NAME = 'demo_integration-TE1002-demo';
export const DEMO_CLIENT_SUBJECT: SubjectFields = {
  OU: 'Demo',
  O: 'ons-mtls-proxy demo',
  L: 'Groningen',
  ST: 'Groningen',
  C: 'NL',
  emailAddress: 'demo@example.invalid',
};


export interface DemoPki {
  dir: string;
  ca: IssuedCertificate & { certPath: string };
  server: IssuedCertificate & { certPath: string; keyPath: string };
  client: IssuedCertificate & { certPath: string; keyPath: string };
}

export type DemoPkiCertificates = { ca: IssuedCertificate; server: IssuedCertificate; client: IssuedCertificate };

function issueDemoPki(keys: { ca?: string; server?: string; client?: string } = {}): DemoPkiCertificates {
  const ca = createCertificateAuthority({ commonName: 'ons-mtls-proxy demo CA (throwaway)', keyPem: keys.ca });
  const server = issueCertificate({ issuer: ca, commonName: 'localhost', usage: 'server', keyPem: keys.server });
  const client = issueCertificate({
    issuer: ca,
    commonName: DEMO_CLIENT_COMMON_NAME,
    subject: DEMO_CLIENT_SUBJECT,
    usage: 'client',
    keyPem: keys.client,
  });
  return { ca, server, client };
}

/** Creates an in-memory demo PKI (CA, localhost server, Ons-style development client). */
export function createDemoPki(): DemoPkiCertificates {
  return issueDemoPki();
}

/** Like {@link createDemoPki}, but generates the three keys in parallel: about twice as fast on two cores. */
export async function createDemoPkiAsync(): Promise<DemoPkiCertificates> {
  const [ca, server, client] = await Promise.all([generateRsaKeyPem(), generateRsaKeyPem(), generateRsaKeyPem()]);
  return issueDemoPki({ ca, server, client });
}

async function writeKey(path: string, pem: string): Promise<void> {
  await writeFile(path, pem, { mode: 0o600 });
  // writeFile's mode only applies when it creates the file and is masked by the umask.
  await chmod(path, 0o600);
}

/** Writes ca.pem, server.pem, server-key.pem, client.pem and client-key.pem into `dir`. */
export async function writeDemoPki(dir: string): Promise<DemoPki> {
  await mkdir(dir, { recursive: true });
  const { ca, server, client } = await createDemoPkiAsync();
  const p = (name: string): string => join(dir, name);
  await Promise.all([
    writeFile(p('ca.pem'), ca.certPem),
    writeFile(p('server.pem'), server.certPem),
    writeFile(p('client.pem'), client.certPem),
    writeKey(p('server-key.pem'), server.keyPem),
    writeKey(p('client-key.pem'), client.keyPem),
  ]);
  return {
    dir,
    ca: { ...ca, certPath: p('ca.pem') },
    server: { ...server, certPath: p('server.pem'), keyPath: p('server-key.pem') },
    client: { ...client, certPath: p('client.pem'), keyPath: p('client-key.pem') },
  };
}

export type ThrowawayClientSettings = Pick<ProxyConfig, 'cert' | 'key' | 'pfx' | 'passphrase' | 'passphraseFile' | 'ca' | 'throwawayCertificate'>;

/**
 * The settings that make a proxy present the throwaway client certificate and trust the
 * throwaway CA, replacing any configured certificate: for the demo's mock and replay's fixture server.
 */
export function throwawayClientSettings(pki: DemoPki): ThrowawayClientSettings {
  return {
    cert: pki.client.certPath,
    key: pki.client.keyPath,
    pfx: undefined,
    passphrase: undefined,
    passphraseFile: undefined,
    ca: pki.ca.certPath,
    // Its 2048-bit key is on purpose (fast to make): no warnings about Ons's rules for real certificates.
    throwawayCertificate: true,
  };
}
