// Nothing from an outside document or request runs unbounded on the event loop: a pattern
// with catastrophic backtracking applied to a long value, a model of tens of thousands of
// properties on its first call, a web page firing long invented paths at the proxy, a large
// body replayed against many fixtures. Each attempt runs while a second client times
// /__proxy/health, and the event loop's longest delay is measured; both must stay far below
// what the attempt took before (seconds to minutes): a bound of a second for the loop.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiIndex, type OpenApiDocument } from '../../src/openapi/index.js';
import { spawnProxy } from '../support/cli.js';
import { startUpstream, type Upstream } from '../support/harness.js';
import { syntheticOnsDocument } from '../support/synthetic-openapi.js';
import { exchange, proxyWithDocument, type ProxyWithConsole } from '../openapi/helpers.js';

/** The event loop's longest delay: each attempt held it for seconds to minutes before. */
const GENEROUS_MS = 1000;
/**
 * A health call is a round trip through a machine that runs other test files at the same time:
 * it gets more room than the loop itself, and still far less than the attempts took before
 * (9 s for the replay, minutes for the pattern).
 */
const HEALTH_BOUND_MS = 3000;
const HUGE_MODEL_PROPERTIES = 30_000;

/** Calls `url` again and again while `attempt` runs; the slowest answer and the event loop's longest delay, in ms. */
async function whileTimingHealth(url: string, attempt: () => Promise<void>): Promise<{ slowestHealthMs: number; longestLoopDelayMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let running = true;
  let slowestHealthMs = 0;
  const timing = (async () => {
    while (running) {
      const started = performance.now();
      const answer = await request(url);
      await answer.body.dump();
      expect(answer.statusCode).toBe(200);
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await attempt();
  } finally {
    running = false;
    await timing;
    histogram.disable();
  }
  return { slowestHealthMs, longestLoopDelayMs: histogram.max / 1e6 };
}

function hostileDocument(): unknown {
  const properties: Record<string, unknown> = {};
  for (let i = 0; i < HUGE_MODEL_PROPERTIES; i++) properties[`field${i}`] = i % 2 === 0 ? { type: 'string', format: 'date' } : { type: 'integer' };
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
  const json = (schema: unknown): unknown => ({ 'application/json': { schema } });
  return {
    openapi: '3.0.3',
    info: { title: 'Hostile', version: '1' },
    paths: {
      '/t/clients/{id}': {
        get: {
          operationId: 'ClientAPI.byId',
          parameters: [id, { name: 'q', in: 'query', schema: { type: 'string', pattern: '^(a+)+$' } }],
          responses: { '200': { description: 'OK' } },
        },
      },
      '/t/clients/{id}/notes': {
        post: {
          operationId: 'NoteAPI.create',
          parameters: [id],
          requestBody: { content: json({ type: 'object', properties: { text: { type: 'string', pattern: '^(\\w+\\s?)*$' }, long: { type: 'string', pattern: '^(a|aa)+$' } } }) },
          responses: { '201': { description: 'Created' } },
        },
      },
      '/t/employees/{id}': { get: { operationId: 'EmployeeAPI.byId', parameters: [id], responses: { '200': { description: 'OK', content: json({ $ref: '#/components/schemas/Huge' }) } } } },
    },
    components: { schemas: { Huge: { type: 'object', properties } } },
  };
}

describe('an API document', () => {
  let dir: string;
  let upstream: Upstream;
  let proxy: ProxyWithConsole;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-hostile-loop-'));
    await writeFile(path.join(dir, 'hostile.json'), JSON.stringify(hostileDocument()));
    upstream = await startUpstream();
    proxy = await proxyWithDocument(upstream, { openapi: path.join(dir, 'hostile.json'), findingsHeader: true });
  });
  afterAll(async () => {
    await proxy?.proxy.close();
    await upstream?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('applies a catastrophic pattern to long values in linear time, or says it did not', async () => {
    const health = `${proxy.proxy.url}/__proxy/health`;
    const results: Array<Awaited<ReturnType<typeof exchange>>> = [];
    const timed = await whileTimingHealth(health, async () => {
      // Backtracking would take 2^n steps on each: minutes for the query, forever for the bodies.
      results.push(await exchange(proxy.proxy, `/t/clients/3?q=${'a'.repeat(5000)}!`));
      const body = JSON.stringify({ text: `${'word '.repeat(1500)}!`, long: `${'a'.repeat(9000)}!` });
      results.push(await exchange(proxy.proxy, '/t/clients/3/notes', { method: 'POST', body, headers: { 'content-type': 'application/json' } }));
      const tooLong = JSON.stringify({ long: `${'a'.repeat(50_000)}!` });
      results.push(await exchange(proxy.proxy, '/t/clients/3/notes', { method: 'POST', body: tooLong, headers: { 'content-type': 'application/json' } }));
    });
    expect(timed.slowestHealthMs).toBeLessThan(HEALTH_BOUND_MS);
    expect(timed.longestLoopDelayMs).toBeLessThan(GENEROUS_MS);
    const [query, body, tooLong] = results.map((result) => result.record);
    expect(query?.findings).toContainEqual({ where: 'request.query.q', message: expect.stringContaining('must match pattern "^(a+)+$"') });
    expect(body?.findings?.map((finding) => finding.where)).toEqual(expect.arrayContaining(['request.body.text', 'request.body.long']));
    expect(tooLong?.notChecked).toContainEqual({ where: 'request.body', message: expect.stringMatching(/a value of 50001 characters is longer than the 10000 the proxy matches against the document's pattern/) });
  });

  it('does not compile a model of tens of thousands of properties on its first call: it says the answer was not checked', async () => {
    const timed = await whileTimingHealth(`${proxy.proxy.url}/__proxy/health`, async () => {
      const { status, record } = await exchange(proxy.proxy, '/t/employees/101');
      expect(status).toBe(200);
      expect(record.notChecked).toEqual([{ where: 'response.body', message: expect.stringContaining('too large to check: the model Huge holds more than 1000 schema objects') }]);
    });
    expect(timed.slowestHealthMs).toBeLessThan(HEALTH_BOUND_MS);
    expect(timed.longestLoopDelayMs).toBeLessThan(GENEROUS_MS);
  });
});

describe('a web page firing long invented paths', () => {
  let upstream: Upstream;
  let proxy: ProxyWithConsole;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-hostile-page-'));
    await writeFile(path.join(dir, 'ons-sized.json'), JSON.stringify(syntheticOnsDocument()));
    upstream = await startUpstream();
    proxy = await proxyWithDocument(upstream, { openapi: path.join(dir, 'ons-sized.json') });
  });
  afterAll(async () => {
    await proxy?.proxy.close();
    await upstream?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gets its refusals without a nearest-operation search, and the proxy keeps answering', async () => {
    const page = { origin: 'https://ads.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' };
    const longPath = (n: number): string => `/v0/${Array.from({ length: 40 }, (_, i) => `segment${n}x${i}${'q'.repeat(120)}`).join('/')}`;
    let first: Awaited<ReturnType<typeof exchange>> | undefined;
    const timed = await whileTimingHealth(`${proxy.proxy.url}/__proxy/health`, async () => {
      first = await exchange(proxy.proxy, longPath(0), { headers: page });
      await Promise.all(
        Array.from({ length: 60 }, async (_, n) => {
          const answer = await request(`${proxy.proxy.url}${longPath(n + 1)}`, { headers: page });
          await answer.body.dump();
          expect(answer.statusCode).toBe(403);
        }),
      );
    });
    expect(first?.status).toBe(403);
    expect(first?.record.hint ?? '').not.toContain('Nearest');
    expect(timed.slowestHealthMs).toBeLessThan(HEALTH_BOUND_MS);
    expect(timed.longestLoopDelayMs).toBeLessThan(GENEROUS_MS);
  });

  it('still gets the nearest operations for a request that went to the API, for a path of ordinary length only', () => {
    const api = new ApiIndex(syntheticOnsDocument() as unknown as OpenApiDocument, 'synthetic');
    expect(api.describe('GET', '/v0/clientz/1').hint).toContain('Nearest');
    const long = api.describe('GET', `/v0/${'clients/'.repeat(500)}1`);
    expect(long.match).toEqual({ kind: 'none', nearest: [] });
  });
});

describe('replay', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-hostile-replay-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('compares a 1 MB body with 1,000 recorded POSTs to the same path without stalling', async () => {
    const set = path.join(dir, 'set');
    await mkdir(set);
    const entries = [];
    for (let n = 0; n < 1000; n++) {
      const file = `post-t-clients-1-notes-${n}.json`;
      const fixture = {
        source: { id: `id-${n}`, time: '2026-12-01T10:00:00.000Z', durationMs: 1 },
        request: { method: 'POST', path: '/t/clients/1/notes', query: {}, headers: {}, body: { n, text: 'note' }, bodyEncoding: 'json' },
        response: { status: 201, headers: { 'content-type': 'application/json' }, body: { n }, bodyEncoding: 'json' },
      };
      await writeFile(path.join(set, file), JSON.stringify(fixture));
      entries.push({ file, method: 'POST', path: '/t/clients/1/notes', status: 201, source: `id-${n}` });
    }
    await writeFile(path.join(set, 'index.json'), JSON.stringify({ format: 'ons-proxy-fixtures/1', fixtures: entries }));
    const replay = await spawnProxy(['replay', set, '--latency', '0'], { cwd: dir, env: { ONS_PROXY_LOG_DIR: path.join(dir, 'logs') } });
    try {
      const big = JSON.stringify({ n: -1, text: 'x'.repeat(1024 * 1024), items: Array.from({ length: 2000 }, (_, i) => ({ i })) });
      const timed = await whileTimingHealth(`${replay.url}/__proxy/health`, async () => {
        for (const body of [big, big]) {
          const answer = await request(`${replay.url}/t/clients/1/notes`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
          expect(answer.statusCode).toBe(404);
          expect(((await answer.body.json()) as { code: string }).code).toBe('replay_no_match');
        }
        const hit = await request(`${replay.url}/t/clients/1/notes`, { method: 'POST', body: '{"text":"note","n":999}', headers: { 'content-type': 'application/json' } });
        expect(hit.statusCode).toBe(201);
        expect(await hit.body.json()).toEqual({ n: 999 });
      });
      expect(timed.slowestHealthMs).toBeLessThan(HEALTH_BOUND_MS);
    } finally {
      await replay.stop();
    }
  });
});
