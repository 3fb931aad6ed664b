import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { startProxy } from '../support/harness.js';
import { useCapturedProxy } from '../support/captured-proxy.js';
import { problemOf, rawRequest } from '../support/raw-http.js';

const suite = useCapturedProxy({ allowedHosts: ['ons-proxy', 'pinned.example:9999'] });
let port: string;

beforeAll(() => {
  port = new URL(suite.proxy.url).port;
});

const get = (path: string, host: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`;

describe('Host header guard', () => {
  it('refuses a DNS-rebinding request (Host: attacker.example over 127.0.0.1) without reaching the upstream', async () => {
    const before = suite.upstream.mock.stats.requests;
    const response = await rawRequest(suite.proxy.url, get('/__mock/echo', `attacker.example:${port}`, 'Origin: http://attacker.example:' + port + '\r\n'));
    expect(response.status).toBe(403);
    const problem = problemOf(response);
    expect(problem).toMatchObject({ status: 403, code: 'host_not_allowed', title: 'Host not allowed' });
    expect(problem.detail).toMatch(/DNS rebinding/);
    expect(problem.detail).toMatch(/ONS_PROXY_ALLOWED_HOSTS/);
    expect(problem.requestId).toBe(response.headers['x-request-id']);
    expect(suite.upstream.mock.stats.requests).toBe(before);
    const recorded = suite.capture.completed.find((c) => c.exchange.id === problem.requestId);
    expect(recorded?.exchange.problem?.code).toBe('host_not_allowed');
    expect(recorded?.status).toBe(403);
  });

  it('guards the admin routes too', async () => {
    const response = await rawRequest(suite.proxy.url, get('/__proxy/health', 'attacker.example'));
    expect(response.status).toBe(403);
    expect(problemOf(response).code).toBe('host_not_allowed');
    const status = await rawRequest(suite.proxy.url, get('/__proxy/status', 'evil.localhost.attacker.example'));
    expect(status.status).toBe(403);
  });

  it.each(['localhost', 'localhost:PORT', '127.0.0.1:PORT', '[::1]:PORT', 'LOCALHOST', 'localhost.', 'ons-proxy:PORT', 'pinned.example:9999'])(
    'answers to Host %s',
    async (host) => {
      const response = await rawRequest(suite.proxy.url, get('/__proxy/health', host.replace('PORT', port)));
      expect(response.status).toBe(200);
    },
  );

  it.each(['pinned.example:1234', 'ons-proxy.attacker.example', '127.0.0.1.nip.io', 'localhost:80@attacker.example', '[::2]'])('refuses Host %s', async (host) => {
    const response = await rawRequest(suite.proxy.url, get('/__proxy/health', host));
    expect(response.status).toBe(403);
    expect(problemOf(response).code).toBe('host_not_allowed');
  });

  it('forwards requests addressed to the proxy by name, as clients normally send them', async () => {
    const response = await request(`${suite.proxy.url}/__mock/echo`);
    expect(response.statusCode).toBe(200);
    await response.body.dump();
  });

  it.each([
    ['HTTP/1.1', 'GET /__proxy/health HTTP/1.1\r\nConnection: close\r\n\r\n'],
    ['HTTP/1.0', 'GET /__proxy/health HTTP/1.0\r\n\r\n'],
  ])('answers a request without Host (%s) with a 400 problem', async (_version, text) => {
    const response = await rawRequest(suite.proxy.url, text);
    expect(response.status).toBe(400);
    expect(problemOf(response).code).toBe('host_missing');
  });

  it('refuses to start with a malformed ONS_PROXY_ALLOWED_HOSTS entry, saying which', async () => {
    await expect(startProxy(suite.upstream, { allowedHosts: ['good', 'not a host'] })).rejects.toThrow(/ONS_PROXY_ALLOWED_HOSTS: "not a host" is not a host name/);
  });
});

describe('absolute-form request targets (HTTP_PROXY-style clients)', () => {
  it('serves GET http://localhost:<port>/path, keeping the raw path and query', async () => {
    const target = '/__mock/echo?a=1&a=2&b=%20x+y';
    const response = await rawRequest(suite.proxy.url, get(`http://localhost:${port}${target}`, `localhost:${port}`));
    expect(response.status).toBe(200);
    expect((JSON.parse(response.body) as { url: string }).url).toBe(target);
  });

  it('serves a target naming the upstream host, whatever the Host header says', async () => {
    const upstreamHost = new URL(suite.upstream.mock.url).host;
    const response = await rawRequest(suite.proxy.url, get(`http://${upstreamHost}/__mock/echo`, 'ignored.example'));
    expect(response.status).toBe(200);
  });

  it('refuses a target naming any other host, and explains why', async () => {
    const before = suite.upstream.mock.stats.requests;
    const response = await rawRequest(suite.proxy.url, get('http://example.com/__mock/echo', 'localhost'));
    expect(response.status).toBe(403);
    const problem = problemOf(response);
    expect(problem.code).toBe('target_host_not_allowed');
    expect(problem.detail).toMatch(/not a general-purpose HTTP proxy/);
    expect(suite.upstream.mock.stats.requests).toBe(before);
  });

  it.each([
    ['a non-http scheme', 'GET ftp://localhost/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
    ['the asterisk form', 'OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
  ])('answers %s with a 400 problem', async (_name, text) => {
    const response = await rawRequest(suite.proxy.url, text);
    expect(response.status).toBe(400);
    expect(problemOf(response).code).toBe('bad_request_target');
  });

  it('answers a CONNECT tunnel request with a 405 problem explaining to send plain HTTP', async () => {
    const response = await rawRequest(suite.proxy.url, 'CONNECT api.ons.io:443 HTTP/1.1\r\nHost: api.ons.io:443\r\n\r\n');
    expect(response.status).toBe(405);
    const problem = problemOf(response);
    expect(problem.code).toBe('tunnel_not_supported');
    expect(response.closed).toBe(true);
  });
});

describe('absolute-form with a remote upstream', () => {
  it('accepts the configured upstream host and no other', async () => {
    // The admin route answers locally, so this never contacts the (unreachable) upstream.
    const remote = await startProxy(suite.upstream, { upstream: 'https://api-development.ons.io' });
    try {
      const ok = await rawRequest(remote.url, get('http://api-development.ons.io/__proxy/health', 'api-development.ons.io'));
      expect(ok.status).toBe(200);
      const viaHost = await rawRequest(remote.url, get('/__proxy/health', 'api-development.ons.io'));
      expect(viaHost.status).toBe(403);
      const other = await rawRequest(remote.url, get('http://api.ons.io/__proxy/health', 'api.ons.io'));
      expect(other.status).toBe(403);
    } finally {
      await remote.close();
    }
  });
});
