// A soak short enough for CI: many requests at steady concurrency through one proxy. Every
// request must leave exactly one record in the traffic file, and the heap after warm-up
// must stay flat (compared after GC, with a generous bound: no timing is asserted).
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { readRecords } from '../../src/traffic/index.js';
import { configFor, startProxy, startUpstream, type Upstream } from '../support/harness.js';

// 10,000 keeps the file near 20 s on two cores; SOAK_REQUESTS=200000 npx vitest run test/robustness/soak.test.ts soaks longer.
const SOAK = Number(process.env.SOAK_REQUESTS ?? 10_000);
const WARM_UP = 1_000;
const CONCURRENCY = 32;
// Noise after GC is about a megabyte; a leak of 1 KB per exchange would be ten.
const HEAP_GROWTH_BOUND = 8 * 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let upstream: Upstream;
let proxy: RunningInstance;
let client: Pool;

beforeAll(async () => {
  upstream = await startUpstream();
  // Bodies are recorded as usual (the default), so the taps and the file sink are part of the soak.
  proxy = await startProxy(upstream, { logLevel: 'silent' });
  client = new Pool(proxy.url, { connections: CONCURRENCY });
});
afterAll(async () => {
  await client.close();
  await upstream.close();
});

async function run(count: number, label: string): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let index = next++; index < count; index = next++) {
        const response = await client.request({ method: 'GET', path: `/__mock/echo?soak=${label}-${index}`, headers: { accept: 'application/json' } });
        await response.body.dump();
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}

function heapAfterGc(): number {
  for (let round = 0; round < 3; round++) collectGarbage();
  return process.memoryUsage().heapUsed;
}

async function recordedUrls(logDir: string): Promise<string[]> {
  const urls: string[] = [];
  for await (const record of readRecords({ logDir })) urls.push(record.url);
  return urls;
}

describe('soak', () => {
  it(`${SOAK} requests at concurrency ${CONCURRENCY}: one record each, flat heap`, { timeout: Math.max(60_000, SOAK * 10) }, async () => {
    expect(await run(WARM_UP, 'warm')).toEqual(new Map([[200, WARM_UP]]));
    const before = heapAfterGc();
    expect(await run(SOAK, 'soak')).toEqual(new Map([[200, SOAK]]));
    const after = heapAfterGc();
    console.log(`soak: heap after warm-up ${(before / 2 ** 20).toFixed(1)} MiB, after ${SOAK} more requests ${(after / 2 ** 20).toFixed(1)} MiB`);
    expect(after - before).toBeLessThan(HEAP_GROWTH_BOUND);

    await proxy.close();
    const urls = await recordedUrls(configFor(upstream).logDir);
    const soaked = urls.filter((url) => url.startsWith('/__mock/echo?soak=soak-'));
    expect(soaked.length).toBe(SOAK);
    expect(new Set(soaked).size).toBe(SOAK);
    expect(urls.filter((url) => url.startsWith('/__mock/echo?soak=warm-')).length).toBe(WARM_UP);
  });
});
