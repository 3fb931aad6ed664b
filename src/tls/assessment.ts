import type { X509Certificate } from 'node:crypto';
import { UserError } from '../config/errors.js';
import type { EnvironmentPreset } from '../config/presets.js';
import type { OnsEnvironment } from '../config/settings.js';
import type { ClientIdentity } from './identity.js';
import { COMMON_NAME_EXAMPLE, environmentsOfCustomerCode, parseOnsCommonName } from './ons-common-name.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const EXPIRY_WARNING_DAYS = 30;
export const ONS_MINIMUM_KEY_BITS = 4096;
const RENEW = 'make a new key and CSR with `ons-proxy csr`, upload the CSR in the Ons API Dashboard and point the proxy at the new certificate (no restart needed)';

/** What the proxy shows about its certificate (status page, `check`). */
export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly commonName: string;
  readonly serialNumber: string;
  readonly fingerprint256: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly daysLeft: number;
  readonly key: string;
  readonly chainLength: number;
}

/** Where the certificate is about to be used, for the environment check. */
export interface CertificateUse {
  readonly environment: OnsEnvironment;
  readonly upstream: string;
  readonly presets: Readonly<Record<OnsEnvironment, EnvironmentPreset>>;
  /** --force: use a certificate of another environment anyway. */
  readonly force: boolean;
  /** The demo's own generated certificate (see ProxyConfig.throwawayCertificate): Ons's rules for what it issues do not apply. */
  readonly throwaway?: boolean | undefined;
}

function oneLine(distinguishedName: string): string {
  return distinguishedName.split('\n').join(', ');
}

export function commonNameOf(certificate: X509Certificate): string {
  const line = certificate.subject.split('\n').find((part) => part.startsWith('CN='));
  return line ? line.slice(3) : '';
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function daysLeft(certificate: X509Certificate, now: Date): number {
  return Math.floor((new Date(certificate.validTo).getTime() - now.getTime()) / DAY_MS);
}

function describeKey(identity: ClientIdentity): { text: string; rsaBits: number | undefined } {
  const type = identity.privateKey.asymmetricKeyType ?? 'unknown';
  const details = identity.privateKey.asymmetricKeyDetails;
  if (type === 'rsa' || type === 'rsa-pss') return { text: `RSA ${details?.modulusLength ?? '?'} bits`, rsaBits: details?.modulusLength };
  return { text: details?.namedCurve ? `${type.toUpperCase()} ${details.namedCurve}` : type.toUpperCase(), rsaBits: undefined };
}

export function summarizeCertificate(identity: ClientIdentity, now = new Date()): CertificateSummary {
  const { certificate } = identity;
  return {
    subject: oneLine(certificate.subject),
    issuer: oneLine(certificate.issuer),
    commonName: commonNameOf(certificate),
    serialNumber: certificate.serialNumber,
    fingerprint256: certificate.fingerprint256,
    validFrom: new Date(certificate.validFrom).toISOString(),
    validTo: new Date(certificate.validTo).toISOString(),
    daysLeft: daysLeft(certificate, now),
    key: describeKey(identity).text,
    chainLength: identity.chain.length,
  };
}

/** Refuses a certificate that cannot work now: expired or not yet valid. */
export function assertCurrentlyValid(certificate: X509Certificate, now = new Date()): void {
  const cn = commonNameOf(certificate);
  const notAfter = new Date(certificate.validTo);
  const notBefore = new Date(certificate.validFrom);
  if (now > notAfter) {
    throw new UserError(`The certificate ${cn} expired on ${notAfter.toISOString()} (${day(notAfter)}): Ons refuses it (495). Renew it: ${RENEW}.`);
  }
  if (now < notBefore) {
    throw new UserError(`The certificate ${cn} is not valid until ${notBefore.toISOString()}: check this computer's clock, or wait until then.`);
  }
}

/** Refuses a certificate of another Ons environment, unless forced: Ons would answer 403 to every call. */
export function assertRightEnvironment(certificate: X509Certificate, use: CertificateUse): void {
  if (use.force) return;
  const cn = commonNameOf(certificate);
  const parsed = parseOnsCommonName(cn);
  if (!parsed) return;
  const environments = environmentsOfCustomerCode(parsed.customerCode, use.presets);
  if (environments.length === 0 || environments.includes(use.environment)) return;
  const own = environments.join(' or ');
  throw new UserError(
    `The certificate ${cn} has customer code ${parsed.customerCode}, which belongs to ${own}, but the proxy is set to ${use.environment} (${use.upstream}): ` +
      `Ons would refuse every call (403). Use --environment ${environments[0]} (ONS_PROXY_ENVIRONMENT), the certificate for ${use.environment}, or --force (ONS_PROXY_FORCE=true) if you are sure.`,
  );
}

export function expiryWarning(certificate: X509Certificate, now = new Date()): string | undefined {
  const left = daysLeft(certificate, now);
  if (left >= EXPIRY_WARNING_DAYS) return undefined;
  const when = day(new Date(certificate.validTo));
  return `The certificate ${commonNameOf(certificate)} expires on ${when} (${left < 1 ? 'within a day' : `in ${left} day${left === 1 ? '' : 's'}`}): ${RENEW}.`;
}

/**
 * Things that do not stop the proxy but will hurt: near expiry, a weak key, a CN Ons would not
 * issue. A throwaway certificate (the demo's, made at start for the mock) is only checked for
 * expiry: its 2048-bit key is chosen for speed and it never reaches Ons.
 */
export function certificateWarnings(identity: ClientIdentity, use: Pick<CertificateUse, 'environment' | 'presets' | 'throwaway'>, now = new Date()): string[] {
  const warnings: string[] = [];
  const expiry = expiryWarning(identity.certificate, now);
  if (expiry) warnings.push(expiry);
  if (use.throwaway === true) return warnings;
  const key = describeKey(identity);
  if (key.rsaBits === undefined || key.rsaBits < ONS_MINIMUM_KEY_BITS) {
    warnings.push(`The private key is ${key.text}; Ons requires RSA ${ONS_MINIMUM_KEY_BITS} bits or more: make a new key and CSR with \`ons-proxy csr\` when you renew.`);
  }
  const cn = commonNameOf(identity.certificate);
  const parsed = parseOnsCommonName(cn);
  if (!parsed) {
    warnings.push(`The certificate's CN "${cn}" does not follow the Ons pattern {technical_name}-{customer_code}-{identification} (e.g. ${COMMON_NAME_EXAMPLE}): is this the certificate from the Ons API Dashboard?`);
  } else if (environmentsOfCustomerCode(parsed.customerCode, use.presets).length === 0) {
    warnings.push(`The certificate's customer code ${parsed.customerCode} is not one Ons uses (${use.environment}: ${use.presets[use.environment].customerCodeHint}): is this the certificate from the Ons API Dashboard?`);
  }
  return warnings;
}
