// The inspector's page, API, live events and HAR, over real sockets.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeSummary } from '../../src/inspector/inspector.js';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { validateHar } from '../support/har-schema.js';
import { allRecords, assertValidRecord } from '../support/records.js';
import { openEvents } from '../support/event-stream.js';

interface ExchangeList {
  profile: string;
  limit: number;
  exchanges: ExchangeSummary[];
}

let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});

async function json<T>(url: string): Promise<T> {
  const response = await request(url);
  expect(response.statusCode).toBe(200);
  return (await response.body.json()) as T;
}

async function through(proxy: RunningInstance, pathAndQuery: string): Promise<string> {
  const response = await request(`${proxy.url}${pathAndQuery}`, { headers: { accept: 'application/json' } });
  await response.body.dump();
  return String(response.headers['x-request-id']);
}

describe('the inspector page', () => {
  let proxy: RunningInstance;
  beforeAll(async () => {
    proxy = await startProxy(upstream, { inspectorLimit: 3 });
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('serves the page and its own assets, under a strict content security policy', async () => {
    const page = await request(`${proxy.url}/__proxy/`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const html = await page.body.text();
    expect(html).toContain('<script type="module" src="/__proxy/assets/app.js"></script>');
    // Nothing from elsewhere: the page works offline.
    expect(html).not.toMatch(/https?:\/\//);
    for (const [asset, type] of [['app.js', 'text/javascript'], ['style.css', 'text/css']]) {
      const response = await request(`${proxy.url}/__proxy/assets/${asset}`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(new RegExp(`^${type}`));
      expect(await response.body.text()).not.toMatch(/https?:\/\/(?!localhost)/);
    }
    expect((await request(`${proxy.url}/__proxy/assets/..%2f..%2fpackage.json`)).statusCode).toBe(404);
    const bare = await request(`${proxy.url}/__proxy`);
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/__proxy/');
  });

  it('lists the recent exchanges newest first, up to the limit, with each one in full', async () => {
    const ids: string[] = [];
    for (const target of ['/t/clients/1', '/t/clients/2', '/__mock/status/404', '/t/employees', '/ping']) ids.push(await through(proxy, target));
    const list = await json<ExchangeList>(`${proxy.url}/__proxy/api/exchanges`);
    expect(list.limit).toBe(3);
    expect(list.exchanges.map((e) => e.id)).toEqual(ids.slice(-3).reverse());
    expect(list.exchanges[2]).toMatchObject({ method: 'GET', url: '/__mock/status/404', status: 404 });

    const record = await json<TrafficRecord>(`${proxy.url}/__proxy/api/exchanges/${ids[4]}`);
    assertValidRecord(record);
    expect(record).toMatchObject({ id: ids[4], url: '/ping', status: 200, response: { bodyEncoding: 'text' } });
    const gone = await request(`${proxy.url}/__proxy/api/exchanges/${ids[0]}`);
    expect(gone.statusCode).toBe(404);
    expect(((await gone.body.json()) as { error: string }).error).toContain(`ons-proxy logs --id ${ids[0]}`);
  });

  it('pushes each new exchange to open pages as a server-sent event', async () => {
    const stream = await openEvents(proxy);
    try {
      const arrived = stream.next();
      const id = await through(proxy, '/t/clients?limit=1');
      expect(await arrived).toMatchObject({ id, method: 'GET', url: '/t/clients?limit=1', status: 200 });
    } finally {
      stream.close();
    }
  });

  it('serves the recent exchanges as a valid HAR 1.2 download', async () => {
    const response = await request(`${proxy.url}/__proxy/har`);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="ons-proxy-default-\d{8}-\d{4}\.har"$/);
    const har = (await response.body.json()) as { log: { entries: Array<{ _id: string }> } };
    validateHar(har);
    expect(har.log.entries).toHaveLength(3);
  });

  it('does not record its own pages and API as exchanges', async () => {
    const records = await allRecords(proxy.config.logDir);
    expect(records.filter((record) => record.url.startsWith('/__proxy'))).toEqual([]);
  });
});

describe('after a restart', () => {
  it("shows today's earlier exchanges of the same profile, read back from the file", async () => {
    const logDir = `${upstream.dir}/restart-logs`;
    const first = await startProxy(upstream, { logDir });
    const before = [await through(first, '/t/clients/1'), await through(first, '/t/clients/2')];
    await first.close();

    const second = await startProxy(upstream, { logDir });
    try {
      const after = await through(second, '/t/clients/3');
      const list = await json<ExchangeList>(`${second.url}/__proxy/api/exchanges`);
      expect(list.exchanges.map((e) => e.id)).toEqual([after, ...before.reverse()]);
      const status = await json<{ inspector: { restoredFromFile: number } }>(`${second.url}/__proxy/status`);
      expect(status.inspector.restoredFromFile).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('closes promptly while a page is still listening for events', async () => {
    const proxy = await startProxy(upstream);
    const stream = await openEvents(proxy);
    // Without ending the event streams, close() would wait for the page to go away.
    await proxy.close();
    stream.close();
  });
});
