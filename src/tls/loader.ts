import { createHash } from 'node:crypto';
import type tls from 'node:tls';
import type { ProxyConfig } from '../config/load.js';
import { loadEnvironmentPresets } from '../config/presets.js';
import {
  assertCurrentlyValid,
  assertRightEnvironment,
  certificateWarnings,
  summarizeCertificate,
  type CertificateSummary,
  type CertificateUse,
} from './assessment.js';
import { readClientIdentity, type ClientIdentity } from './identity.js';
import { readClientMaterial, type ClientMaterial } from './material.js';
import { createClientSecureContext, type SecureContextOptions } from './secure-context.js';

/** The settings that decide where the certificate comes from and where it is used. */
export type CertificateSettings = Pick<ProxyConfig, 'cert' | 'key' | 'pfx' | 'passphrase' | 'passphraseFile' | 'ca' | 'environment' | 'upstream' | 'force' | 'throwawayCertificate'>;

/** A client certificate that passed every start-time check, ready to hand to the upstream Agent. */
export interface LoadedCertificate {
  readonly material: ClientMaterial;
  readonly identity: ClientIdentity;
  readonly secureContext: tls.SecureContext;
  readonly summary: CertificateSummary;
  /** Problems that do not stop the proxy; say them to the user. */
  readonly warnings: readonly string[];
  /** Changes whenever a byte of the files (or the passphrase) changes: a reload compares it. */
  readonly contentHash: string;
}

export function certificateUse(settings: CertificateSettings): CertificateUse {
  return {
    environment: settings.environment,
    upstream: settings.upstream,
    presets: loadEnvironmentPresets(),
    force: settings.force,
    throwaway: settings.throwawayCertificate === true,
  };
}

export function hashMaterial(material: ClientMaterial): string {
  const hash = createHash('sha256');
  const source = material.identity;
  const parts = source.form === 'pkcs12' ? [source.pfx] : [source.cert, source.key];
  for (const part of [...parts, material.extraCa ?? '', material.passphrase ?? '']) {
    hash.update(part);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * Reads, parses and checks the configured certificate: the one place that knows where a
 * certificate comes from. Throws a UserError (one line, with the fix) on anything that
 * would make every call fail.
 */
export function loadClientCertificate(settings: CertificateSettings, now = new Date(), how: SecureContextOptions = {}): LoadedCertificate {
  const material = readClientMaterial(settings);
  const identity = readClientIdentity(material);
  const use = certificateUse(settings);
  assertCurrentlyValid(identity.certificate, now);
  assertRightEnvironment(identity.certificate, use);
  const secureContext = createClientSecureContext(material, identity, how);
  return {
    material,
    identity,
    secureContext,
    summary: summarizeCertificate(identity, now),
    warnings: certificateWarnings(identity, use, now),
    contentHash: hashMaterial(material),
  };
}
