/** What the certificate commands do for the developer: check's diagnosis of a setup, csr's key and signing request. */
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
