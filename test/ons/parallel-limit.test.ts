// The per-certificate parallel limit, seen from both ends: clients sending many requests at
// once through a real proxy, and the mock Ons API counting what reaches it.
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExchangeContext } from '../../src/proxy/exchange.js';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import type { ProxyConfig } from '../../src/config/load.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import { configFor, startUpstream, type Upstream } from '../support/harness.js';

let upstream: Upstream;
const running: RunningInstance[] = [];
// Our own client pool, closed before the proxies, so no idle client connection delays their shutdown.
let client: Agent;

beforeAll(async () => {
  upstream = await startUpstream();
});
beforeEach(() => {
  client = new Agent();
});
afterEach(async () => {
  await client.destroy();
  await Promise.all(running.splice(0).map((proxy) => proxy.close()));
  upstream.mock.resetStats();
});
afterAll(async () => {
  await upstream.close();
});

/** A proxy on the shared upstream; `exchanges` collects what each forwarded exchange recorded. */
async function proxyWith(overrides: Partial<ProxyConfig>, exchanges: ExchangeContext[] = []): Promise<RunningInstance> {
  const proxy = await startInstance(configFor(upstream, overrides), {
    logger: createConsoleLogger('silent'),
    extraFeatures: [
      {
        name: 'test-observer',
        phase: 'observe',
        onExchangeComplete: ({ request, exchange }) => {
          if (!request.url.startsWith('/__proxy/')) exchanges.push(exchange);
        },
      },
    ],
  });
  running.push(proxy);
  return proxy;
}

interface LimiterStatus {
  maxConcurrency: number;
  inFlight: number;
  queued: number;
  sharedWithProfiles: string[];
}

async function limiterStatus(proxy: RunningInstance): Promise<LimiterStatus> {
  const response = await request(`${proxy.url}/__proxy/status`, { dispatcher: client });
  const status = (await response.body.json()) as { limiter: LimiterStatus };
  return status.limiter;
}

async function waitUntil(what: string, condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (await condition()) return;
    await delay(10);
  }
  throw new Error(`timed out waiting until ${what}`);
}

async function get(proxy: RunningInstance, path: string, signal?: AbortSignal): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const response = await request(`${proxy.url}${path}`, { headers: { accept: 'application/json' }, signal, dispatcher: client });
  return { status: response.statusCode, body: await response.body.text(), headers: response.headers };
}

describe('at most ONS_PROXY_MAX_CONCURRENCY requests in flight per certificate', () => {
  it('lets 20 parallel client requests through, never more than 4 at once upstream, all succeeding', async () => {
    const proxy = await proxyWith({});
    const results = await Promise.all(Array.from({ length: 20 }, () => get(proxy, '/__mock/slow?ms=150')));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(upstream.mock.stats.requests).toBe(20);
    expect(upstream.mock.stats.maxInFlight).toBe(4);
  });

  it('control: with the limit raised above 4, the same load earns the Ons API\'s own 429s', async () => {
    const proxy = await proxyWith({ maxConcurrency: 20 });
    const results = await Promise.all(Array.from({ length: 20 }, () => get(proxy, '/__mock/slow?ms=150')));
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(upstream.mock.stats.maxInFlight).toBeGreaterThan(4);
  });

  it('grants waiting requests in arrival order and records how long each waited', async () => {
    const exchanges: ExchangeContext[] = [];
    const proxy = await proxyWith({ maxConcurrency: 1 }, exchanges);
    const finished: string[] = [];
    const send = (name: string, ms: number): Promise<void> =>
      get(proxy, `/__mock/slow?ms=${ms}&name=${name}`).then((r) => {
        expect(r.status).toBe(200);
        finished.push(name);
      });
    const all = [send('first', 300)];
    await waitUntil('the first request holds the slot', async () => (await limiterStatus(proxy)).inFlight === 1);
    for (const [index, name] of ['b', 'c', 'd', 'e'].entries()) {
      all.push(send(name, 10));
      await waitUntil(`${name} is queued`, async () => (await limiterStatus(proxy)).queued === index + 1);
    }
    await Promise.all(all);
    expect(finished).toEqual(['first', 'b', 'c', 'd', 'e']);
    await waitUntil('all exchanges are reported', () => exchanges.length === 5);
    const queuedMs = (name: string): number => exchanges.find((e) => e.upstreamUrl?.endsWith(`name=${name}`))?.queuedMs ?? -1;
    expect(queuedMs('first')).toBeLessThan(queuedMs('b'));
    expect(queuedMs('b')).toBeGreaterThan(0);
    expect(await limiterStatus(proxy)).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('answers 503 with a problem when the queue is full, and serves the others', async () => {
    const proxy = await proxyWith({ maxConcurrency: 1, queueLimit: 1 });
    const holder = get(proxy, '/__mock/slow?ms=300');
    await waitUntil('the slot is taken', async () => (await limiterStatus(proxy)).inFlight === 1);
    const waiter = get(proxy, '/__mock/slow?ms=10');
    await waitUntil('one request waits', async () => (await limiterStatus(proxy)).queued === 1);

    const refused = await get(proxy, '/__mock/slow?ms=10');
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('1');
    const problem = JSON.parse(refused.body) as { code: string; detail: string };
    expect(problem.code).toBe('proxy_queue_full');
    expect(problem.detail).toContain('ONS_PROXY_QUEUE_LIMIT');

    expect((await holder).status).toBe(200);
    expect((await waiter).status).toBe(200);
    expect(upstream.mock.stats.requests).toBe(2);
  });

  it('answers 503 with a problem when a request waits longer than ONS_PROXY_QUEUE_TIMEOUT_MS', async () => {
    const exchanges: ExchangeContext[] = [];
    const proxy = await proxyWith({ maxConcurrency: 1, queueTimeoutMs: 50 }, exchanges);
    const holder = get(proxy, '/__mock/slow?ms=1000');
    await waitUntil('the slot is taken', async () => (await limiterStatus(proxy)).inFlight === 1);
    const timedOut = await get(proxy, '/__mock/slow?ms=10');
    expect(timedOut.status).toBe(503);
    const problem = JSON.parse(timedOut.body) as { code: string; detail: string };
    expect(problem.code).toBe('proxy_queue_timeout');
    expect(problem.detail).toContain('ONS_PROXY_QUEUE_TIMEOUT_MS');
    expect((await limiterStatus(proxy)).queued).toBe(0);
    expect((await holder).status).toBe(200);
    expect(upstream.mock.stats.requests).toBe(1);
    await waitUntil('both exchanges are reported', () => exchanges.length === 2);
    expect(exchanges.find((e) => e.problem?.code === 'proxy_queue_timeout')?.queuedMs).toBeGreaterThan(0);
  });

  it('takes a client that leaves while waiting out of the queue, and never sends its request', async () => {
    const proxy = await proxyWith({ maxConcurrency: 1 });
    const holder = get(proxy, '/__mock/slow?ms=400');
    await waitUntil('the slot is taken', async () => (await limiterStatus(proxy)).inFlight === 1);
    const abort = new AbortController();
    const leaving = get(proxy, '/__mock/slow?ms=10&leaving=1', abort.signal).catch((error: Error) => error);
    await waitUntil('the client waits', async () => (await limiterStatus(proxy)).queued === 1);
    abort.abort();
    expect(await leaving).toBeInstanceOf(Error);
    await waitUntil('the queue is empty', async () => (await limiterStatus(proxy)).queued === 0);
    expect((await holder).status).toBe(200);
    expect((await get(proxy, '/__mock/slow?ms=10')).status).toBe(200);
    expect(upstream.mock.stats.requests).toBe(2);
    expect(await limiterStatus(proxy)).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('cancels the upstream call of a client that leaves mid-request, then gives the slot back', async () => {
    const proxy = await proxyWith({ maxConcurrency: 1 });
    const abort = new AbortController();
    const leaving = get(proxy, '/__mock/slow?ms=30000', abort.signal).catch((error: Error) => error);
    await waitUntil('the call reaches the upstream', () => upstream.mock.stats.inFlight === 1);
    abort.abort();
    await leaving;
    // Ons must not count the abandoned call either: otherwise the next request could earn a 429.
    await waitUntil('the upstream call is cancelled', () => upstream.mock.stats.inFlight === 0);
    await waitUntil('the slot is free', async () => (await limiterStatus(proxy)).inFlight === 0);
    expect((await get(proxy, '/__mock/slow?ms=10')).status).toBe(200);
  });

  it('gives the slot back when the upstream cannot be reached', async () => {

    const unreachable = await proxyWith({ maxConcurrency: 1, upstream: 'https://127.0.0.1:1' });
    for (let attempt = 0; attempt < 3; attempt++) expect((await get(unreachable, '/anything')).status).toBe(502);
    expect(await limiterStatus(unreachable)).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('shares one limit between profiles that present the same certificate', async () => {
    const development = await proxyWith({ name: 'one' });
    const again = await proxyWith({ name: 'two' });
    expect((await limiterStatus(development)).sharedWithProfiles).toEqual(['two']);
    const load = [development, again].flatMap((proxy) => Array.from({ length: 8 }, () => get(proxy, '/__mock/slow?ms=150')));
    const results = await Promise.all(load);
    expect(results.map((r) => r.status)).toEqual(Array(16).fill(200));
    expect(upstream.mock.stats.maxInFlight).toBe(4);
  });

  it('refuses profiles that share a certificate but disagree on the limit', async () => {
    await proxyWith({ name: 'one' });
    await expect(proxyWith({ name: 'two', maxConcurrency: 2 })).rejects.toThrow(/same certificate.*ONS_PROXY_MAX_CONCURRENCY/);
  });
});
