// What the proxy adds to and explains about each request, through a real proxy to the mock
// Ons API: default headers, hints on Ons's telling statuses, and production's read-only guard.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyConfig } from '../../src/config/load.js';
import type { MockEchoResponse } from '../support/mock-test-routes.js';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { hintFor } from '../../src/ons/index.js';
import type { ExchangeContext } from '../../src/proxy/exchange.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import { runCli } from '../support/cli.js';
import { configFor, startUpstream, type Upstream } from '../support/harness.js';

let upstream: Upstream;
const running: RunningInstance[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await Promise.all(running.map((proxy) => proxy.close()));
  await upstream.close();
});

interface Observed {
  readonly proxy: RunningInstance;
  /** The exchange of the last forwarded request, once it has been reported. */
  lastExchange(): Promise<ExchangeContext>;
}

async function proxyWith(overrides: Partial<ProxyConfig>): Promise<Observed> {
  const exchanges: ExchangeContext[] = [];
  let seen = 0;
  const proxy = await startInstance(configFor(upstream, overrides), {
    logger: createConsoleLogger('silent'),
    extraFeatures: [{ name: 'test-observer', phase: 'observe', onExchangeComplete: ({ exchange }) => exchanges.push(exchange) }],
  });
  running.push(proxy);
  return {
    proxy,
    async lastExchange() {
      for (let attempt = 0; attempt < 200 && exchanges.length <= seen; attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
      seen = exchanges.length;
      const last = exchanges.at(-1);
      if (!last) throw new Error('no exchange reported');
      return last;
    },
  };
}

async function send(proxy: RunningInstance, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const response = await request(`${proxy.url}${path}`, { method: method as 'GET', headers, body: method === 'GET' || method === 'HEAD' ? undefined : '{"text":"x"}' });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

async function echoedHeaders(proxy: RunningInstance, headers: Record<string, string>): Promise<MockEchoResponse['headers']> {
  const response = await send(proxy, 'GET', '/__mock/echo', headers);
  expect(response.status).toBe(200);
  return (JSON.parse(response.body) as MockEchoResponse).headers;
}

describe('default headers', () => {
  let plain: RunningInstance;
  let named: RunningInstance;
  beforeAll(async () => {
    plain = (await proxyWith({})).proxy;
    named = (await proxyWith({ userAgent: 'hr_connector/1.1 (+https://example.com)' })).proxy;
  });

  it('adds Accept: application/json when the client sent none, so Ons does not answer 406', async () => {
    expect((await echoedHeaders(plain, {})).accept).toBe('application/json');
    expect((await send(plain, 'GET', '/t/clients')).status).toBe(200);
  });

  it("keeps the client's own Accept", async () => {
    expect((await echoedHeaders(plain, { accept: 'application/x-ndjson' })).accept).toBe('application/x-ndjson');
    expect((await echoedHeaders(plain, { accept: '*/*' })).accept).toBe('*/*');
  });

  it('leaves the User-Agent alone when ONS_PROXY_USER_AGENT is not set', async () => {
    expect((await echoedHeaders(plain, { 'user-agent': 'curl/8.5.0' }))['user-agent']).toBe('curl/8.5.0');
    expect((await echoedHeaders(plain, {}))['user-agent']).toBeUndefined();
  });

  it('sends ONS_PROXY_USER_AGENT when the client sent none, or only its tool\'s default', async () => {
    expect((await echoedHeaders(named, {}))['user-agent']).toBe('hr_connector/1.1 (+https://example.com)');
    for (const toolDefault of ['curl/8.5.0', 'PostmanRuntime/7.39.0', 'python-requests/2.32.3', 'Go-http-client/1.1', 'Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; en-US) PowerShell/7.4.6']) {
      expect((await echoedHeaders(named, { 'user-agent': toolDefault }))['user-agent']).toBe('hr_connector/1.1 (+https://example.com)');
    }
  });

  it("keeps the client's own User-Agent over ONS_PROXY_USER_AGENT", async () => {
    expect((await echoedHeaders(named, { 'user-agent': 'finance_sync/2.0' }))['user-agent']).toBe('finance_sync/2.0');
  });
});

describe('hints on Ons statuses', () => {
  it('points a 403 on development to the Technical Design and the "Allow all endpoints" switch', async () => {
    const { proxy, lastExchange } = await proxyWith({});
    expect((await send(proxy, 'GET', '/t/finance/invoices')).status).toBe(403);
    const hint = (await lastExchange()).hint;
    expect(hint).toContain('Technical Design');
    expect(hint).toContain('Allow all endpoints on development');
  });

  it('explains a 406 with the Accept header that was sent', async () => {
    const { proxy, lastExchange } = await proxyWith({});
    expect((await send(proxy, 'GET', '/t/clients', { accept: 'text/html' })).status).toBe(406);
    expect((await lastExchange()).hint).toMatch(/^406: .*"text\/html".*application\/json/);
  });

  it('explains a 429 and a 495, and gives no hint on a 200 or a 404', async () => {
    const { proxy, lastExchange } = await proxyWith({});
    expect((await send(proxy, 'GET', '/__mock/status/429')).status).toBe(429);
    expect((await lastExchange()).hint).toContain('more than 4 parallel requests');
    expect((await send(proxy, 'GET', '/__mock/status/495')).status).toBe(495);
    expect((await lastExchange()).hint).toContain('ons-proxy check');
    expect((await send(proxy, 'GET', '/t/clients')).status).toBe(200);
    expect((await lastExchange()).hint).toBeUndefined();
    expect((await send(proxy, 'GET', '/t/nothing-here')).status).toBe(404);
    expect((await lastExchange()).hint).toBeUndefined();
  });

  it('gives no Ons hint on the proxy\'s own answers', async () => {
    const { proxy, lastExchange } = await proxyWith({ upstream: 'https://127.0.0.1:1' });
    expect((await send(proxy, 'GET', '/t/clients')).status).toBeGreaterThanOrEqual(500);
    expect((await lastExchange()).hint).toBeUndefined();
  });

  it('words each case for its environment', () => {
    const base = { status: 403, accept: undefined, maxConcurrency: 4 } as const;
    expect(hintFor({ ...base, environment: 'production', path: '/ping' })).toMatch(/does not belong to the production environment/);
    expect(hintFor({ ...base, environment: 'staging', path: '/t/clients' })).toMatch(/approved in the connection's Technical Design.*issued for staging/);
    expect(hintFor({ ...base, environment: 'staging', path: '/t/clients' })).not.toContain('Allow all endpoints');
    expect(hintFor({ ...base, status: 429, environment: 'development', path: '/x', maxConcurrency: 6 })).toContain('at most 6 at once');
    expect(hintFor({ ...base, status: 406, environment: 'development', path: '/x' })).toContain('none sent');
    expect(hintFor({ ...base, status: 500, environment: 'development', path: '/x' })).toBeUndefined();
  });
});

describe('production guard', () => {
  const production = { environment: 'production', allowProduction: true, force: true } as const;

  it('refuses to start on production without --allow-production', async () => {
    await expect(proxyWith({ environment: 'production', force: true })).rejects.toThrow(/real care data.*--allow-production/);
    const cli = await runCli(['start', '--environment', 'production', '--cert', upstream.pki.client.certPath, '--key', upstream.pki.client.keyPath, '--port', '0'], { cwd: upstream.dir });
    expect(cli.code).toBe(2);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toMatch(/^ons-proxy: ONS_PROXY_ENVIRONMENT is production: .*--allow-production/);
  });

  it('is read-only by default: writes get 405 with an explanation, reads go through', async () => {
    const { proxy, lastExchange } = await proxyWith(production);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const refused = await send(proxy, method, '/t/clients/1/notes', { 'content-type': 'application/json' });
      expect(refused.status).toBe(405);
      expect(refused.headers.allow).toBe('GET, HEAD');
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(refused.body) as { code: string; detail: string };
      expect(problem.code).toBe('production_read_only');
      expect(problem.detail).toContain('--allow-writes');
      expect((await lastExchange()).problem?.code).toBe('production_read_only');
    }
    upstream.mock.resetStats();
    expect((await send(proxy, 'GET', '/t/clients')).status).toBe(200);
    expect((await send(proxy, 'HEAD', '/__mock/bytes?size=10')).status).toBe(200);
    expect(upstream.mock.stats.requests).toBe(2);
  });

  it('lets writes through with --allow-writes', async () => {
    const { proxy } = await proxyWith({ ...production, allowWrites: true });
    expect((await send(proxy, 'POST', '/t/clients/1/notes', { 'content-type': 'application/json' })).status).toBe(201);
  });

  it('does not touch writes on development', async () => {
    const { proxy } = await proxyWith({});
    expect((await send(proxy, 'POST', '/t/clients/1/notes', { 'content-type': 'application/json' })).status).toBe(201);
  });
});
