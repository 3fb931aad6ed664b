// Upstream failures before any response header: each becomes a problem+json with the
// status and code a developer can act on, and the record carries the underlying error.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/demo/index.js';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import type { ProxyConfig } from '../../src/config/load.js';
import { startUpstream, type Upstream } from '../support/harness.js';
import { captureExchanges, startCapturedProxy, type Capture } from '../support/captured-proxy.js';
import { problemOf } from '../support/raw-http.js';
import { closedPortUrl, startMisbehavingUpstream, startRefusingOpenSslServer, startSilentListener, type MisbehavingUpstream, type UpstreamTls } from './misbehaving-upstream.js';

let demo: Upstream;
let upstreamTls: UpstreamTls;
let misbehaving: MisbehavingUpstream;
let proxy: RunningInstance;
let capture: Capture;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  demo = await startUpstream();
  upstreamTls = { certPem: demo.pki.server.certPem, keyPem: demo.pki.server.keyPem, clientCaPem: demo.pki.ca.certPem };
  misbehaving = await startMisbehavingUpstream(upstreamTls);
  capture = captureExchanges();
  proxy = await startCapturedProxy(demo, capture, { upstream: misbehaving.url, timeoutMs: 500 });
});
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await proxy.close();
  await misbehaving.close();
  await demo.close();
});

interface Outcome {
  status: number;
  problem: Record<string, unknown>;
  error: { code: string; message: string } | undefined;
}

async function fetchThrough(instance: RunningInstance, path: string, init: { method?: string; body?: string } = {}): Promise<Outcome> {
  const response = await request(`${instance.url}${path}`, { method: (init.method ?? 'GET') as 'GET', body: init.body });
  const body = await response.body.text();
  const problem = problemOf({ headers: response.headers, body });
  expect(problem.status).toBe(response.statusCode);
  expect(body).not.toMatch(/\bat .*\.(js|ts):\d+|node_modules|\/work\//);
  const completed = await capture.exchange(String(response.headers["x-request-id"]));
  expect(completed.status).toBe(response.statusCode);
  expect(completed.exchange.problem?.code).toBe(problem.code);
  return { status: response.statusCode, problem, error: completed.exchange.error };
}

async function proxyTo(overrides: Partial<ProxyConfig>): Promise<RunningInstance> {
  const instance = await startCapturedProxy(demo, capture, overrides);
  cleanups.push(() => instance.close());
  return instance;
}

async function otherClientCaFiles(): Promise<{ certPath: string; keyPath: string; clientCaPath: string }> {
  const clientCaPath = path.join(demo.dir, 'other-client-ca.pem');
  await writeFile(clientCaPath, createCertificateAuthority({ commonName: 'Some other client CA' }).certPem);
  return { certPath: demo.pki.server.certPath, keyPath: demo.pki.server.keyPath, clientCaPath };
}

async function upstreamWith(tlsOptions: Partial<UpstreamTls>): Promise<MisbehavingUpstream> {
  const upstream = await startMisbehavingUpstream({ ...upstreamTls, ...tlsOptions });
  cleanups.push(() => upstream.close());
  return upstream;
}

describe('failures before the response', () => {
  it('a connection reset before any response: 502 upstream_connection_reset', async () => {
    const outcome = await fetchThrough(proxy, '/reset-before-response', { method: 'POST', body: 'x' });
    expect(outcome.status).toBe(502);
    expect(outcome.problem.code).toBe('upstream_connection_reset');
    expect(outcome.error?.code).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
  });

  it('malformed response headers: 502 upstream_protocol_error', async () => {
    const outcome = await fetchThrough(proxy, '/malformed-headers');
    expect(outcome.status).toBe(502);
    expect(outcome.problem.code).toBe('upstream_protocol_error');
    expect(outcome.error?.message).toMatch(/HTTP\/1\.1 protocol/);
  });

  it('no response headers within ONS_PROXY_TIMEOUT_MS: 504 upstream_response_timeout', async () => {
    const outcome = await fetchThrough(proxy, '/stall-before-headers');
    expect(outcome.status).toBe(504);
    expect(outcome.problem.code).toBe('upstream_response_timeout');
    expect(outcome.problem.detail).toMatch(/ONS_PROXY_TIMEOUT_MS/);
  });

  it('no TLS handshake within ONS_PROXY_CONNECT_TIMEOUT_MS: 504 upstream_connect_timeout', async () => {
    const silent = await startSilentListener();
    cleanups.push(() => silent.close());
    const instance = await proxyTo({ upstream: silent.url, connectTimeoutMs: 300 });
    const outcome = await fetchThrough(instance, '/ok');
    expect(outcome.status).toBe(504);
    expect(outcome.problem.code).toBe('upstream_connect_timeout');
  });

  it('nothing listening: 502 upstream_connection_refused', async () => {
    const instance = await proxyTo({ upstream: await closedPortUrl() });
    const outcome = await fetchThrough(instance, '/ok');
    expect(outcome.status).toBe(502);
    expect(outcome.problem.code).toBe('upstream_connection_refused');
    expect(outcome.error?.code).toBe('ECONNREFUSED');
  });

  it('a host name that does not resolve: 502 upstream_dns_failure', async () => {
    const instance = await proxyTo({ upstream: 'https://ons-proxy-fault-test.invalid' });
    const outcome = await fetchThrough(instance, '/ok');
    expect(outcome.status).toBe(502);
    expect(outcome.problem.code).toBe('upstream_dns_failure');
  });
});

describe('TLS failures, told apart', () => {
  it('an upstream certificate from an unknown CA: 502 upstream_certificate_untrusted', async () => {
    const strangerCa = createCertificateAuthority({ commonName: 'Unknown CA' });
    const stranger = issueCertificate({ issuer: strangerCa, commonName: 'localhost', usage: 'server' });
    const upstream = await upstreamWith({ certPem: stranger.certPem, keyPem: stranger.keyPem });
    const outcome = await fetchThrough(await proxyTo({ upstream: upstream.url }), '/ok');
    expect(outcome.status).toBe(502);
    expect(outcome.problem.code).toBe('upstream_certificate_untrusted');
    expect(upstream.arrivals('/ok')).toBe(0);
  });

  it('an upstream certificate for another host: 502 upstream_hostname_mismatch', async () => {
    const other = issueCertificate({ issuer: demo.pki.ca, commonName: 'other.example', usage: 'server', altNames: ['other.example'] });
    const upstream = await upstreamWith({ certPem: other.certPem, keyPem: other.keyPem });
    const outcome = await fetchThrough(await proxyTo({ upstream: upstream.url }), '/ok');
    expect(outcome.status).toBe(502);
    expect(outcome.problem.code).toBe('upstream_hostname_mismatch');
    expect(outcome.error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('a client certificate the upstream refuses with a TLS alert (TLS 1.2): 502 client_certificate_refused', async () => {
    const refusing = await startRefusingOpenSslServer(await otherClientCaFiles(), 'tls1_2');
    cleanups.push(() => refusing.close());
    const outcome = await fetchThrough(await proxyTo({ upstream: refusing.url }), '/ok');
    expect(outcome.status).toBe(502);
    expect(outcome.problem.code).toBe('client_certificate_refused');
    expect(outcome.problem.detail).toMatch(/ONS_PROXY_CERT/);
    expect(outcome.error?.code).toMatch(/ALERT_UNKNOWN_CA/);
  });

  // Under TLS 1.3 the server's alert arrives after the client's side of the handshake is
  // done, and undici reports "other side closed"; the alert must still be recognised.
  it('a client certificate the upstream refuses with a TLS alert (TLS 1.3): 502 client_certificate_refused', async () => {
    const refusing = await startRefusingOpenSslServer(await otherClientCaFiles(), 'tls1_3');
    cleanups.push(() => refusing.close());
    const outcome = await fetchThrough(await proxyTo({ upstream: refusing.url }), '/ok');
    expect(outcome.status).toBe(502);
    expect(outcome.problem.code).toBe('client_certificate_refused');
    expect(outcome.error?.code).toMatch(/ALERT_UNKNOWN_CA/);
  });

  it('a node:tls upstream that drops connections presenting an unknown client certificate: 502', async () => {
    const otherClientCa = createCertificateAuthority({ commonName: 'Some other client CA' });
    const upstream = await upstreamWith({ clientCaPem: otherClientCa.certPem, maxVersion: 'TLSv1.2' });
    const outcome = await fetchThrough(await proxyTo({ upstream: upstream.url }), '/ok');
    expect(outcome.status).toBe(502);
    expect(upstream.arrivals('/ok')).toBe(0);
  });
});
