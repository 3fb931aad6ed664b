// Capturing bodies for the record never changes what the client gets: compressed bytes
// arrive untouched, cut-off captures still deliver the whole body, and decoding happens for
// the record only.
import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBytes, deterministicSha256 } from '../support/deterministic-bytes.js';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { configFor, startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { allRecords, assertValidRecord, byId } from '../support/records.js';

const LIMIT = 1000;

let upstream: Upstream;
let direct: Agent;

beforeAll(async () => {
  upstream = await startUpstream();
  direct = new Agent({ connect: { ca: upstream.pki.ca.certPem, cert: upstream.pki.client.certPem, key: upstream.pki.client.keyPem } });
});
afterAll(async () => {
  await direct.close();
  await upstream.close();
});

async function bytesOf(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Runs `exchanges` through a fresh proxy with its own log folder, then returns its records. */
async function withProxy(overrides: Parameters<typeof startProxy>[1], exchanges: (proxy: RunningInstance) => Promise<void>): Promise<TrafficRecord[]> {
  const logDir = `${upstream.dir}/logs-${Math.random().toString(36).slice(2)}`;
  const proxy = await startProxy(upstream, { ...overrides, logDir });
  try {
    await exchanges(proxy);
  } finally {
    await proxy.close();
  }
  const records = await allRecords(configFor(upstream, { logDir }).logDir);
  for (const record of records) assertValidRecord(record);
  return records;
}

describe('compressed bodies', () => {
  it.each(['gzip', 'deflate', 'br'])('hands %s bytes to the client untouched and records them decoded', async (encoding) => {
    const original = await bytesOf((await request(`${upstream.mock.url}/__mock/gzip?encoding=${encoding}`, { dispatcher: direct })).body);
    let id = '';
    let received: Buffer = Buffer.alloc(0);
    const records = await withProxy({}, async (proxy) => {
      const response = await request(`${proxy.url}/__mock/gzip?encoding=${encoding}`);
      expect(response.headers['content-encoding']).toBe(encoding);
      id = String(response.headers['x-request-id']);
      received = await bytesOf(response.body);
    });
    expect(received.equals(original)).toBe(true);
    const record = byId(records, id);
    expect(record.response).toMatchObject({ bodyEncoding: 'json', bodyBytes: original.length, bodyTruncated: false });
    expect(record.response.body).toMatchObject({ compressed: true });
    expect(record.response.headers['content-encoding']).toBe(encoding);
  });

  it('records the decodable start of a compressed body cut at the limit', async () => {
    let id = '';
    const records = await withProxy({ logBodyLimit: 120 }, async (proxy) => {
      const response = await request(`${proxy.url}/__mock/gzip`);
      id = String(response.headers['x-request-id']);
      await response.body.dump();
    });
    const record = byId(records, id);
    expect(record.response.bodyTruncated).toBe(true);
    expect(record.response.bodyEncoding).toBe('text');
    expect(record.response.body).toMatch(/^\{"compressed":true,"clients":\[/);
  });
});

describe('the capture limit', () => {
  it('keeps the first bytes of a response and still delivers all of it', async () => {
    const size = 300_000;
    let id = '';
    let digest = '';
    const records = await withProxy({ logBodyLimit: LIMIT }, async (proxy) => {
      const response = await request(`${proxy.url}/__mock/bytes?size=${size}&seed=limit`);
      id = String(response.headers['x-request-id']);
      digest = createHash('sha256').update(await bytesOf(response.body)).digest('hex');
    });
    expect(digest).toBe(deterministicSha256(size, 'limit'));
    const record = byId(records, id);
    expect(record.response).toMatchObject({ bodyEncoding: 'base64', bodyBytes: size, bodyTruncated: true });
    const first = deterministicBytes(size, 'limit').next().value as Buffer;
    expect(Buffer.from(record.response.body as string, 'base64').equals(first.subarray(0, LIMIT))).toBe(true);
  });

  it('keeps the first bytes of a request body and still sends all of it upstream', async () => {
    const text = 'Regel met zorgdata, héél gewoon. '.repeat(3000);
    let id = '';
    let upstreamSaw: unknown;
    const records = await withProxy({ logBodyLimit: LIMIT }, async (proxy) => {
      const response = await request(`${proxy.url}/__mock/upload`, { method: 'POST', body: text, headers: { 'content-type': 'text/plain; charset=utf-8' } });
      id = String(response.headers['x-request-id']);
      upstreamSaw = await response.body.json();
    });
    const bytes = Buffer.from(text);
    expect(upstreamSaw).toEqual({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    const record = byId(records, id);
    expect(record.request).toMatchObject({ bodyEncoding: 'text', bodyBytes: bytes.length, bodyTruncated: true });
    // Cut at a byte limit, but never in the middle of a character.
    expect(text.startsWith(record.request.body as string)).toBe(true);
    expect(Buffer.byteLength(record.request.body as string)).toBeGreaterThan(LIMIT - 4);
  });

  it('records sizes but no bodies when bodies are switched off', async () => {
    let id = '';
    const records = await withProxy({ logBodies: false }, async (proxy) => {
      const response = await request(`${proxy.url}/__mock/echo`, { method: 'PUT', body: 'x'.repeat(500) });
      id = String(response.headers['x-request-id']);
      expect(((await response.body.json()) as { bodyBytes: number }).bodyBytes).toBe(500);
    });
    const record = byId(records, id);
    expect(record.request).toMatchObject({ bodyEncoding: 'omitted', bodyBytes: 500, bodyTruncated: false });
    expect(record.request.body).toBeUndefined();
    expect(record.response.bodyEncoding).toBe('omitted');
    expect(record.response.bodyBytes).toBeGreaterThan(0);
  });
});
