import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockEchoResponse } from '../support/mock-test-routes.js';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { problemOf } from '../support/raw-http.js';

const PROTOTYPE = 'http://localhost:5173';

let upstream: Upstream;
let proxy: RunningInstance;

beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await startProxy(upstream, { corsOrigins: [`${PROTOTYPE}/`], accessToken: 'cors-test-token' });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

async function call(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const response = await request(`${proxy.url}${path}`, { method: (init.method ?? 'GET') as 'GET', headers: init.headers });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

describe('cross-origin requests', () => {
  it('refuses a request from a web page whose origin is not listed, without reaching the upstream', async () => {
    const before = upstream.mock.stats.requests;
    const response = await call('/__mock/echo', { headers: { origin: 'http://evil.example', 'x-proxy-token': 'cors-test-token' } });
    expect(response.status).toBe(403);
    const problem = problemOf(response);
    expect(problem.code).toBe('origin_not_allowed');
    expect(problem.detail).toMatch(/ONS_PROXY_CORS_ORIGINS/);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(upstream.mock.stats.requests).toBe(before);
  });

  it('answers a preflight from a listed origin itself, without the token and without forwarding it', async () => {
    const before = upstream.mock.stats.requests;
    const response = await call('/t/clients', {
      method: 'OPTIONS',
      headers: { origin: PROTOTYPE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-proxy-token' },
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(PROTOTYPE);
    expect(response.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(response.headers['access-control-allow-headers']).toBe('content-type, x-proxy-token');
    expect(response.headers['access-control-max-age']).toBe('600');
    expect(response.headers.vary).toMatch(/Origin/);
    expect(upstream.mock.stats.requests).toBe(before);
  });

  it('allows Private Network Access when a listed origin asks for it', async () => {
    const response = await call('/t/clients', {
      method: 'OPTIONS',
      headers: { origin: PROTOTYPE, 'access-control-request-method': 'GET', 'access-control-request-private-network': 'true' },
    });
    expect(response.headers['access-control-allow-private-network']).toBe('true');
  });

  it('refuses a preflight from an unlisted origin', async () => {
    const response = await call('/t/clients', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(response.status).toBe(403);
    expect(problemOf(response).code).toBe('origin_not_allowed');
  });

  it('gives a listed origin the response with CORS headers that expose x-request-id', async () => {
    const response = await call('/__mock/echo', { headers: { origin: PROTOTYPE, 'x-proxy-token': 'cors-test-token' } });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(PROTOTYPE);
    expect(String(response.headers['access-control-expose-headers'])).toMatch(/x-request-id/);
    expect(response.headers.vary).toMatch(/Origin/);
    expect((JSON.parse(response.body) as MockEchoResponse).method).toBe('GET');
  });

  it('puts CORS headers on the proxy\'s own refusals, so the page can read them', async () => {
    const response = await call('/__mock/echo', { headers: { origin: PROTOTYPE } });
    expect(response.status).toBe(401);
    expect(response.headers['access-control-allow-origin']).toBe(PROTOTYPE);
  });

  it('lets the proxy\'s own pages call it (same origin) without listing them', async () => {
    const host = new URL(proxy.url).host;
    const response = await call('/__proxy/health', { headers: { origin: `http://${host}`, 'x-proxy-token': 'cors-test-token' } });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('forwards OPTIONS that is not a preflight', async () => {
    const response = await call('/__mock/echo', { method: 'OPTIONS', headers: { 'x-proxy-token': 'cors-test-token' } });
    expect(response.status).toBe(200);
    expect((JSON.parse(response.body) as MockEchoResponse).method).toBe('OPTIONS');
  });

  it('refuses what another site makes the browser send without an Origin (an <img> or <script> tag)', async () => {
    const response = await call('/__mock/echo', { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'x-proxy-token': 'cors-test-token' } });
    expect(response.status).toBe(403);
    expect(problemOf(response).code).toBe('cross_site_request');
    const navigation = await call('/__proxy/health', { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'x-proxy-token': 'cors-test-token' } });
    expect(navigation.status).toBe(200);
  });

  it('refuses to start with an ONS_PROXY_CORS_ORIGINS entry that is not an origin', async () => {
    await expect(startProxy(upstream, { corsOrigins: ['localhost:5173'] })).rejects.toThrow(/ONS_PROXY_CORS_ORIGINS: "localhost:5173" is not an origin/);
    await expect(startProxy(upstream, { corsOrigins: ['http://localhost:5173/app'] })).rejects.toThrow(/is not an origin/);
  });
});
