/** Where the client certificate comes from: reading, checking, describing, reloading, and the upstream dispatcher. */
export { openClientCertificate, type ClientCertificate } from './client-certificate.js';
export { loadClientCertificate, certificateUse, type CertificateSettings, type LoadedCertificate } from './loader.js';
export { readClientMaterial, readMaterialFile, type ClientMaterial } from './material.js';
export { readClientIdentity, type ClientIdentity } from './identity.js';
export { createClientSecureContext } from './secure-context.js';
export {
  assertCurrentlyValid,
  assertRightEnvironment,
  certificateWarnings,
  summarizeCertificate,
  EXPIRY_WARNING_DAYS,
  ONS_MINIMUM_KEY_BITS,
  type CertificateSummary,
} from './assessment.js';
export { certificateReloader, type CertificateLog, type CertificateReloader, type ReloadOutcome } from './reloader.js';
export { SwappableDispatcher, createUpstreamAgent } from './upstream-dispatcher.js';
export { diagnoseMaterial, diagnoseHandshake, interpretPing, type CheckStep, type StepStatus } from './diagnosis.js';
export {
  validateCsrFields,
  createCertificateSigningRequest,
  writeCsrFiles,
  csrFilePaths,
  assertCsrFilesAbsent,
  DEFAULT_CUSTOMER_CODE,
  type CsrFields,
  type CsrSubject,
} from './csr.js';
