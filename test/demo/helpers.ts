import { Agent, request } from 'undici';
import {
  createCertificateAuthority,
  createDemoPkiAsync,
  generateRsaKeyPem,
  issueCertificate,
  startMockOnsApi,
  type IssuedCertificate,
  type MockOnsApi,
} from '../../src/demo/index.js';
import { createTestRoutes } from '../support/mock-test-routes.js';

export interface MockHarness {
  pki: { ca: IssuedCertificate; server: IssuedCertificate; client: IssuedCertificate };
  mock: MockOnsApi;
  /** Presents the demo client certificate. */
  client: Agent;
  /** Trusts the CA but presents no certificate. */
  anonymous: Agent;
  /** Presents a certificate from an unrelated CA with the same CN. */
  foreign: Agent;
  close(): Promise<void>;
}

export async function startHarness(maxParallelPerCertificate?: number): Promise<MockHarness> {
  const [pki, otherCaKey, strangerKey] = await Promise.all([createDemoPkiAsync(), generateRsaKeyPem(), generateRsaKeyPem()]);
  const mock = await startMockOnsApi({
    pki: { serverCertPem: pki.server.certPem, serverKeyPem: pki.server.keyPem, caPem: pki.ca.certPem },
    maxParallelPerCertificate,
    removedPaths: 'serve',
    extraRoutes: createTestRoutes(),
  });
  const otherCa = createCertificateAuthority({ commonName: 'Someone else CA', keyPem: otherCaKey });
  const stranger = issueCertificate({ issuer: otherCa, commonName: pki.client.commonName, usage: 'client', keyPem: strangerKey });
  const client = new Agent({ connect: { ca: pki.ca.certPem, cert: pki.client.certPem, key: pki.client.keyPem } });
  const anonymous = new Agent({ connect: { ca: pki.ca.certPem } });
  const foreign = new Agent({ connect: { ca: pki.ca.certPem, cert: stranger.certPem, key: stranger.keyPem } });
  return {
    pki,
    mock,
    client,
    anonymous,
    foreign,
    async close() {
      await Promise.all([client.destroy(), anonymous.destroy(), foreign.destroy()]);
      await mock.close();
    },
  };
}

export interface SimpleResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export async function call(
  harness: MockHarness,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: Agent } = {},
): Promise<SimpleResponse> {
  const res = await request(`${harness.mock.url}${path}`, {
    dispatcher: init.agent ?? harness.client,
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers ?? { accept: 'application/json' },
    body: init.body,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}
