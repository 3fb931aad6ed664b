/** The demo's public surface: throwaway PKI and the embedded Ons mock. */
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
export type { PeerCertificateInfo, Route, RouteContext } from './mock-http.js';
export { CLIENTS, EMPLOYEES, type FixtureClient, type FixtureEmployee } from './fixtures.js';
