import type { X509Certificate } from 'node:crypto';
import {
  assertCurrentlyValid,
  assertRightEnvironment,
  certificateUse,
  certificateWarnings,
  commonNameOf,
  loadClientCertificate,
  pairWithKey,
  readCertificates,
  readClientIdentity,
  readClientMaterial,
  readPrivateKey,
  summarizeCertificate,
  type CertificateSettings,
  type ClientIdentity,
  type ClientMaterial,
  type LoadedCertificate,
} from '../tls/index.js';
import { HandshakeFailure, probeHandshake } from './handshake-probe.js';

export type StepStatus = 'ok' | 'warning' | 'failed' | 'skipped';

/** One line of `ons-proxy check`: what was checked, how it went, and what to do about it. */
export interface CheckStep {
  readonly step: string;
  readonly status: StepStatus;
  readonly summary: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface MaterialDiagnosis {
  readonly steps: CheckStep[];
  /** Present when every step passed: the certificate exactly as the proxy would load it. */
  readonly certificate?: LoadedCertificate;
}

const step = (name: string, status: StepStatus, summary: string, details?: Record<string, unknown>): CheckStep => ({ step: name, status, summary, ...(details ? { details } : {}) });
const messageOf = (error: unknown): string => (error as Error).message;

function describeFiles(material: ClientMaterial): string {
  const source = material.identity;
  const identity = source.form === 'pkcs12' ? `PKCS#12 ${source.pfxFile}` : `certificate ${source.certFile}, key ${source.keyFile}`;
  const passphrase = material.passphrase === undefined ? '' : ', passphrase set';
  return `${identity}${material.caFile ? `, CA bundle ${material.caFile}` : ', system CAs'}${passphrase}`;
}

function describeCertificate(certificate: X509Certificate, identity: ClientIdentity | undefined): CheckStep {
  const issuerCn = certificate.issuer.split('\n').find((part) => part.startsWith('CN='))?.slice(3) ?? certificate.issuer;
  const validTo = new Date(certificate.validTo);
  const daysLeft = Math.floor((validTo.getTime() - Date.now()) / 86_400_000);
  const summary = `${commonNameOf(certificate)}, issued by ${issuerCn}, serial ${certificate.serialNumber}, valid until ${validTo.toISOString().slice(0, 10)} (${daysLeft} days left)`;
  return step('certificate', 'ok', summary, identity ? { ...summarizeCertificate(identity) } : { subject: certificate.subject.split('\n').join(', ') });
}

/** Checks the files, the certificate and the key one step at a time, so every problem gets its own line. */
export function diagnoseMaterial(settings: CertificateSettings): MaterialDiagnosis {
  let material: ClientMaterial;
  try {
    material = readClientMaterial(settings);
  } catch (error) {
    return { steps: [step('files', 'failed', messageOf(error)), step('certificate', 'skipped', 'fix the files first'), step('key', 'skipped', 'fix the files first')] };
  }
  const steps = [step('files', 'ok', describeFiles(material))];
  const { certificate, identity, certificateFailure, keyStep } = readSeparately(material);
  if (!certificate) return { steps: [...steps, step('certificate', 'failed', certificateFailure ?? 'no certificate'), keyStep] };

  steps.push(describeCertificate(certificate, identity));
  const use = certificateUse(settings);
  for (const check of [() => assertCurrentlyValid(certificate), () => assertRightEnvironment(certificate, use)]) {
    try {
      check();
    } catch (error) {
      steps.push(step('certificate', 'failed', messageOf(error)));
    }
  }
  if (settings.force) {
    try {
      assertRightEnvironment(certificate, { ...use, force: false });
    } catch (error) {
      steps.push(step('certificate', 'warning', `--force given: ${messageOf(error)}`));
    }
  }
  if (identity) for (const warning of certificateWarnings(identity, use)) steps.push(step('certificate', 'warning', warning));
  steps.push(keyStep);
  if (steps.some((s) => s.status === 'failed')) return { steps };
  try {
    return { steps, certificate: loadClientCertificate(settings) };
  } catch (error) {
    return { steps: [...steps, step('certificate', 'failed', messageOf(error))] };
  }
}

interface SeparateReading {
  certificate?: X509Certificate;
  identity?: ClientIdentity;
  certificateFailure?: string;
  keyStep: CheckStep;
}

function readSeparately(material: ClientMaterial): SeparateReading {
  const source = material.identity;
  if (source.form === 'pkcs12') {
    try {
      const identity = readClientIdentity(material);
      return { certificate: identity.certificate, identity, keyStep: step('key', 'ok', `the private key in the PKCS#12 file (${keyText(identity)}) belongs to the certificate`) };
    } catch (error) {
      return { certificateFailure: messageOf(error), keyStep: step('key', 'skipped', 'the PKCS#12 file could not be read') };
    }
  }
  let certificates: X509Certificate[];
  try {
    certificates = readCertificates(source.cert, source.certFile);
  } catch (error) {
    return { certificateFailure: messageOf(error), keyStep: keyOnly(source.key, source.keyFile, material.passphrase) };
  }
  try {
    const privateKey = readPrivateKey(source.key, source.keyFile, material.passphrase);
    const identity = pairWithKey(certificates, privateKey, `${source.certFile} and ${source.keyFile}`, 'point ONS_PROXY_KEY at the key you made the CSR with');
    return { certificate: identity.certificate, identity, keyStep: step('key', 'ok', `the private key (${keyText(identity)}) belongs to the certificate`) };
  } catch (error) {
    return { ...(certificates[0] ? { certificate: certificates[0] } : {}), keyStep: step('key', 'failed', messageOf(error)) };
  }
}

function keyOnly(text: string, file: string, passphrase: string | undefined): CheckStep {
  try {
    readPrivateKey(text, file, passphrase);
    return step('key', 'skipped', 'the key is readable; fix the certificate to check that they belong together');
  } catch (error) {
    return step('key', 'failed', messageOf(error));
  }
}

function keyText(identity: ClientIdentity): string {
  return summarizeCertificate(identity).key;
}

/** The TLS handshake with the upstream, with the same secure context the proxy uses. */
export async function diagnoseHandshake(upstream: string, certificate: LoadedCertificate, timeoutMs: number): Promise<CheckStep> {
  try {
    const report = await probeHandshake(upstream, certificate.secureContext, timeoutMs);
    const connection = `${report.protocol ?? 'TLS'}, ${report.cipher}, server ${report.serverSubject || '(no subject)'}`;
    if (!report.clientCertificateAccepted) {
      return step('handshake', 'failed', `${connection}; the server refused the client certificate (${report.alert ?? 'connection closed'}): it is not signed by the CA this server trusts, or not meant for this environment.`, { ...report });
    }
    if (report.httpStatus === 495) {
      return step('handshake', 'warning', `${connection}; the TLS handshake completed but the server does not accept the client certificate (it answers 495): see the ping step.`, { ...report });
    }
    return step('handshake', 'ok', `${connection}; the server accepted the client certificate`, { ...report });
  } catch (error) {
    const kind = error instanceof HandshakeFailure ? error.kind : 'other';
    return step('handshake', 'failed', messageOf(error), { failure: kind });
  }
}

/** What Ons's GET /ping answer means for the developer. */
export function interpretPing(status: number, body: string, environment: string): CheckStep {
  const answered = `GET /ping answered ${status}`;
  const details = { status, body: body.slice(0, 500) };
  switch (status) {
    case 200:
      return step('ping', 'ok', `${answered}: the certificate works for ${environment}`, details);
    case 403:
      return step('ping', 'failed', `${answered}: the certificate does not belong to ${environment} (e.g. a development certificate sent to production): use the certificate made for ${environment}, or set --environment to the certificate's own environment.`, details);
    case 495:
      return step('ping', 'failed', `${answered}: the certificate is invalid: expired, or not signed by Ons's CA for ${environment}. Download the signed certificate from the Ons API Dashboard again, or renew it (ons-proxy csr).`, details);
    default: {
      const problem = /"detail"\s*:\s*"([^"]*)"/.exec(body)?.[1];
      return step('ping', 'failed', `${answered}${problem ? `: ${problem}` : `, not 200: ${body.slice(0, 120).replace(/\s+/g, ' ')}`}`, details);
    }
  }
}
