/** The demo's public surface: throwaway PKI, the embedded Ons mock and its test helpers. */
export * from './pki.js';
export * from './demo-pki.js';
export {
  ONS_MAX_PARALLEL_PER_CERTIFICATE,
  MOCK_CLIENT_SERIALS_KEPT,
  startMockOnsApi,
  type MockOnsApi,
  type MockOnsApiOptions,
  type MockStats,
} from './mock-ons-api.js';
export type { MockEchoResponse } from './mock-test-routes.js';
export type { PeerCertificateInfo } from './mock-http.js';
export { deterministicBytes, deterministicSha256, deterministicStream, DETERMINISTIC_CHUNK_SIZE } from './deterministic-bytes.js';
export { CLIENTS, EMPLOYEES, type FixtureClient, type FixtureEmployee } from './fixtures.js';
