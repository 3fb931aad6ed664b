/** Where the client certificate comes from: reading, checking, describing, reloading, and the upstream dispatcher. */
export { openClientCertificate, type ClientCertificate } from './client-certificate.js';
export { loadClientCertificate, certificateUse, type CertificateSettings, type LoadedCertificate } from './loader.js';
export { readClientMaterial, readMaterialFile, type ClientMaterial } from './material.js';
export { readClientIdentity, readCertificates, readPrivateKey, pairWithKey, type ClientIdentity } from './identity.js';
export { createClientSecureContext } from './secure-context.js';
export {
  assertCurrentlyValid,
  assertRightEnvironment,
  certificateWarnings,
  commonNameOf,
  summarizeCertificate,
  EXPIRY_WARNING_DAYS,
  ONS_MINIMUM_KEY_BITS,
  type CertificateSummary,
} from './assessment.js';
export { certificateReloader, type CertificateLog, type CertificateReloader, type ReloadOutcome } from './reloader.js';
export { SwappableDispatcher, createUpstreamAgent } from './upstream-dispatcher.js';
export { loadForge, subjectField } from './forge.js';
export { IDENTIFICATION_PATTERN, TECHNICAL_NAME_PATTERN, environmentsOfCustomerCode } from './ons-common-name.js';
