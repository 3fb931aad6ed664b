// Under load, still exactly one record per exchange: thousands of requests from parallel
// clients, counted against the records in the file.
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { allRecords } from '../support/records.js';

const REQUESTS = 2000;
const CLIENTS = 16;

let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});

it(`records ${REQUESTS} exchanges from ${CLIENTS} parallel clients, each exactly once`, async () => {
  const logDir = `${upstream.dir}/volume-logs`;
  const proxy = await startProxy(upstream, { logDir });
  const seen = new Map<string, number>();
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < REQUESTS) {
      const n = next++;
      // A mix: JSON reads, uploads with a body, and answers that are not 200.
      const response =
        n % 3 === 0
          ? await request(`${proxy.url}/__mock/upload`, { method: 'POST', body: `payload ${n}` })
          : await request(`${proxy.url}${n % 3 === 1 ? `/t/clients/${(n % 5) + 1}` : '/__mock/status/404'}?n=${n}`, { headers: { accept: 'application/json' } });
      await response.body.dump();
      seen.set(String(response.headers['x-request-id']), response.statusCode);
    }
  };
  try {
    await Promise.all(Array.from({ length: CLIENTS }, client));
  } finally {
    await proxy.close();
  }
  const records = await allRecords(logDir);
  expect(seen.size).toBe(REQUESTS);
  expect(records).toHaveLength(REQUESTS);
  for (const record of records) expect(record.status).toBe(seen.get(record.id));
  expect(new Set(records.map((record) => record.id)).size).toBe(REQUESTS);
});
