// Every exchange that reaches the proxy gives exactly one record, however it ends:
// answered, refused by the upstream, failed upstream, or abandoned by the client.
import { stat } from 'node:fs/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { localDay, trafficFileName } from '../../src/traffic/index.js';
import { rawRequest } from '../support/raw-http.js';
import { configFor, startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { allRecords, assertValidRecord, byId } from '../support/records.js';
import path from 'node:path';

let upstream: Upstream;
let proxy: RunningInstance;
let logDir: string;
const ids: Record<string, string> = {};

async function send(name: string, pathAndQuery: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<number> {
  const response = await request(`${proxy.url}${pathAndQuery}`, { method: (options.method ?? 'GET') as 'GET', body: options.body, headers: options.headers });
  ids[name] = String(response.headers['x-request-id']);
  await response.body.arrayBuffer();
  return response.statusCode;
}

/** Starts a large download, reads its first bytes, then hangs up. */
async function abandonDownload(name: string): Promise<void> {
  const response = await request(`${proxy.url}/__mock/bytes?size=${64 * 1024 * 1024}`);
  ids[name] = String(response.headers['x-request-id']);
  for await (const _chunk of response.body) break; // leaving the loop destroys the body: the client goes away
}

beforeAll(async () => {
  upstream = await startUpstream();
  // A short timeout turns /__mock/slow into an upstream failure (504) the proxy answers itself.
  proxy = await startProxy(upstream, { timeoutMs: 400, logTag: 'completeness' });
  logDir = configFor(upstream).logDir;

  expect(await send('json', '/t/clients?limit=2', { headers: { accept: 'application/json' } })).toBe(200);
  expect(await send('post', '/__mock/echo?x=1', { method: 'POST', body: '{"hello":"world"}', headers: { 'content-type': 'application/json' } })).toBe(200);
  expect(await send('notFound', '/__mock/status/404')).toBe(404);
  expect(await send('gzip', '/__mock/gzip')).toBe(200);
  expect(await send('binary', '/__mock/bytes?size=3000&seed=b')).toBe(200);
  expect(await send('head', '/__mock/bytes?size=10', { method: 'HEAD' })).toBe(200);
  expect(await send('failure', '/__mock/slow?ms=5000')).toBe(504);
  // fastify's router refuses this target before any hook runs; it is still the client's exchange.
  const badTarget = await rawRequest(proxy.url, 'GET /t/%zz?x=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  expect(badTarget.status).toBe(400);
  ids.badTarget = String(badTarget.headers['x-request-id']);
  await abandonDownload('aborted');
  // The proxy finishes what is in flight and flushes the file when it closes.
  await proxy.close();
});

afterAll(async () => {
  await upstream.close();
});

describe('record completeness', () => {
  it('writes exactly one valid record per exchange, with the id the client saw', async () => {
    const records = await allRecords(logDir);
    for (const record of records) assertValidRecord(record);
    expect(records.map((r) => r.id).sort()).toEqual(Object.values(ids).sort());
  });

  it('records a request target the router refused, with the problem the client got', async () => {
    const record = byId(await allRecords(logDir), ids.badTarget);
    expect(record).toMatchObject({ method: 'GET', url: '/t/%zz?x=1', status: 400, response: { bodyEncoding: 'json' } });
    expect(record.upstreamUrl).toBeUndefined();
    expect(record.response.body).toMatchObject({ code: 'bad_request_target', requestId: record.id });
    expect(record.response.headers['x-request-id']).toBe(record.id);
  });

  it('names the file after the local day and keeps it private to the owner', async () => {
    const file = path.join(logDir, trafficFileName(localDay(new Date())));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('records a JSON exchange with its fields and the body as a JSON value', async () => {
    const record = byId(await allRecords(logDir), ids.json);
    expect(record).toMatchObject({
      method: 'GET',
      url: '/t/clients?limit=2',
      upstreamUrl: `${upstream.mock.url}/t/clients?limit=2`,
      status: 200,
      profile: 'default',
      tag: 'completeness',
      queuedMs: expect.any(Number),
      request: { bodyBytes: 0, bodyTruncated: false },
      response: { bodyEncoding: 'json', bodyTruncated: false },
    });
    expect(Array.isArray(record.response.body)).toBe(true);
    expect((record.response.body as unknown[]).length).toBe(2);
    expect(record.response.headers['x-request-id']).toBe(record.id);
    expect(Date.parse(record.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(record.durationMs).toBeGreaterThan(0);
    expect(record.error).toBeUndefined();
    expect(record.aborted).toBeUndefined();
  });

  it('records the request body and the response it produced', async () => {
    const record = byId(await allRecords(logDir), ids.post);
    expect(record.request).toMatchObject({ body: { hello: 'world' }, bodyBytes: 17, bodyEncoding: 'json' });
    expect(record.response.body).toMatchObject({ method: 'POST', url: '/__mock/echo?x=1', bodyBytes: 17 });
  });

  it('records binary bodies as base64 and an empty HEAD body as empty text', async () => {
    const records = await allRecords(logDir);
    const binary = byId(records, ids.binary);
    expect(binary.response).toMatchObject({ bodyEncoding: 'base64', bodyBytes: 3000, bodyTruncated: false });
    expect(Buffer.from(binary.response.body as string, 'base64').length).toBe(3000);
    expect(byId(records, ids.head).response).toMatchObject({ body: '', bodyBytes: 0, bodyEncoding: 'text' });
    expect(byId(records, ids.notFound).status).toBe(404);
  });

  it('records an upstream failure with the error and the problem the client got', async () => {
    const record = byId(await allRecords(logDir), ids.failure);
    expect(record.status).toBe(504);
    expect(record.error?.code).toEqual(expect.any(String));
    expect(record.response.bodyEncoding).toBe('json');
    expect(record.response.body).toMatchObject({ status: 504, requestId: record.id });
  });

  it('records a client that went away as aborted, with the bytes it was sent so far', async () => {
    const record = byId(await allRecords(logDir), ids.aborted);
    expect(record.aborted).toBe(true);
    expect(record.status).toBe(200);
    expect(record.response.bodyBytes).toBeGreaterThan(0);
    expect(record.response.bodyBytes).toBeLessThan(64 * 1024 * 1024);
  });
});
