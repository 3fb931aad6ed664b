import { createHash } from 'node:crypto';
import { connect } from 'node:tls';
import { gunzipSync, brotliDecompressSync, inflateSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deterministicBytes, deterministicSha256, deterministicStream } from '../support/deterministic-bytes.js';
import type { MockEchoResponse } from '../support/mock-test-routes.js';
import { call, startHarness, type MockHarness } from './helpers.js';

let h: MockHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/**
 * Sends one raw HTTP/1.1 request over mTLS and returns the response exactly as written on the
 * wire. Reads until the declared content-length, so it works on kept-alive connections too.
 */
function rawExchange(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port: h.mock.port,
      servername: 'localhost',
      ca: h.pki.ca.certPem,
      cert: h.pki.client.certPem,
      key: h.pki.client.keyPem,
    });
    let data = '';
    const finishIfComplete = (): void => {
      const headEnd = data.indexOf('\r\n\r\n');
      if (headEnd === -1) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(data.slice(0, headEnd))?.[1] ?? 0);
      if (data.length >= headEnd + 4 + length) {
        socket.destroy();
        resolve(data);
      }
    };
    socket.on('secureConnect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      finishIfComplete();
    });
    socket.on('error', reject);
  });
}

describe('/__mock/echo', () => {
  it('reports method, raw headers, body hash, SNI and the client certificate', async () => {
    const body = Buffer.from('hallo wereld');
    const res = await request(`${h.mock.url}/__mock/echo?x=1`, {
      dispatcher: h.client,
      method: 'PUT',
      headers: ['X-Multi', 'a', 'x-multi', 'b', 'Content-Type', 'text/plain'],
      body,
    });
    const echo = (await res.body.json()) as MockEchoResponse;
    expect(echo.method).toBe('PUT');
    expect(echo.url).toBe('/__mock/echo?x=1');
    expect(echo.bodyBytes).toBe(body.length);
    expect(echo.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(echo.rawHeaders).toEqual(expect.arrayContaining([['X-Multi', 'a'], ['x-multi', 'b']]));
    expect(echo.headers['x-multi']).toBe('a, b');
    expect(echo.tlsServername).toBe('localhost');
    expect(echo.httpVersion).toBe('1.1');
    expect(echo.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expect(echo.clientCertificate).toEqual({
      serialNumber: h.pki.client.serialNumber,
      subjectCN: 'demo_integration-TE1002-demo',
      fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) as unknown,
    });
  });

  it('reports no SNI when the client connects to an IP address', async () => {
    const res = await request(`${h.mock.ipUrl}/__mock/echo`, { dispatcher: h.client });
    const echo = (await res.body.json()) as MockEchoResponse;
    expect(echo.tlsServername).toBeNull();
  });
});

describe('/__mock/bytes and /__mock/upload', () => {
  it('deterministicBytes is reproducible, seed-dependent and chunked at 64 KiB', () => {
    const a = [...deterministicBytes(200_000, 's')];
    expect(a.map((c) => c.length)).toEqual([65536, 65536, 65536, 3392]);
    expect(Buffer.concat(a).equals(Buffer.concat([...deterministicBytes(200_000, 's')]))).toBe(true);
    expect(deterministicSha256(1000, 's')).not.toBe(deterministicSha256(1000, 't'));
    // A prefix of a longer stream is the shorter stream.
    expect(Buffer.concat([...deterministicBytes(70_000, 's')]).equals(Buffer.concat(a).subarray(0, 70_000))).toBe(true);
  });

  it.each([
    ['with content-length', '', '5000000'],
    ['chunked', '&chunked=1', undefined],
  ])('streams N bytes %s whose sha256 matches deterministicBytes', async (_label, extra, contentLength) => {
    const size = 5_000_000;
    const res = await request(`${h.mock.url}/__mock/bytes?size=${size}&seed=abc${extra}`, { dispatcher: h.client });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-length']).toBe(contentLength);
    if (contentLength === undefined) expect(res.headers['transfer-encoding']).toBe('chunked');
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of res.body) {
      bytes += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
    expect(bytes).toBe(size);
    expect(hash.digest('hex')).toBe(deterministicSha256(size, 'abc'));
  });

  it('streams a large body with flat memory', async () => {
    const size = 256 * 1024 ** 2;
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    let bytes = 0;
    const res = await request(`${h.mock.url}/__mock/bytes?size=${size}`, { dispatcher: h.client });
    for await (const chunk of res.body) {
      bytes += (chunk as Buffer).length;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(bytes).toBe(size);
    // Buffering anywhere (server or generator) would grow RSS by at least the body size.
    expect(peak - rssBefore).toBeLessThan(size / 2);
  });

  it('answers HEAD with the length and no body', async () => {
    const res = await request(`${h.mock.url}/__mock/bytes?size=${1024 ** 3}`, { dispatcher: h.client, method: 'HEAD' });
    expect(res.headers['content-length']).toBe(String(1024 ** 3));
    expect((await res.body.arrayBuffer()).byteLength).toBe(0);
  });

  it('stops generating when the client disconnects mid-stream', async () => {
    const res = await request(`${h.mock.url}/__mock/bytes?size=${1024 ** 3}`, { dispatcher: h.client });
    for await (const _chunk of res.body) break; // destroys the body after the first chunk
    await vi.waitFor(() => expect(h.mock.stats.inFlight).toBe(0), { timeout: 5000 });
  });

  it('hashes an uploaded body without buffering it', async () => {
    const size = 3_000_000;
    const res = await request(`${h.mock.url}/__mock/upload`, {
      dispatcher: h.client,
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: deterministicStream(size, 'up'),
    });
    expect(await res.body.json()).toEqual({ bytes: size, sha256: deterministicSha256(size, 'up') });
  });
});

describe('/__mock/gzip', () => {
  it.each([
    ['gzip', gunzipSync],
    ['br', brotliDecompressSync],
    ['deflate', inflateSync],
  ])('serves a %s-encoded JSON body', async (encoding, decode) => {
    const res = await request(`${h.mock.url}/__mock/gzip?encoding=${encoding}`, { dispatcher: h.client });
    expect(res.headers['content-encoding']).toBe(encoding);
    const raw = Buffer.from(await res.body.arrayBuffer());
    expect(raw.length).toBe(Number(res.headers['content-length']));
    expect(JSON.parse(decode(raw).toString('utf8'))).toMatchObject({ compressed: true });
  });
});

describe('/__mock/status and /__mock/headers', () => {
  it.each([201, 204, 418, 503])('passes status %i through', async (code) => {
    const res = await call(h, `/__mock/status/${code}`);
    expect(res.status).toBe(code);
  });

  it('writes a custom reason phrase, or none at all', async () => {
    expect(await rawExchange('/__mock/status/418?reason=Theepot')).toMatch(/^HTTP\/1\.1 418 Theepot\r\n/);
    expect(await rawExchange('/__mock/status/418?reason=none')).toMatch(/^HTTP\/1\.1 418 \r\n/);
    expect(await rawExchange('/__mock/status/418')).toMatch(/^HTTP\/1\.1 418 I'm a Teapot\r\n/);
  });

  it('sends repeated and hop-by-hop headers as separate lines', async () => {
    const wire = await rawExchange('/__mock/headers');
    const head = wire.split('\r\n\r\n')[0] ?? '';
    const lines = head.split('\r\n').map((l) => l.toLowerCase());
    expect(lines.filter((l) => l.startsWith('set-cookie:'))).toHaveLength(2);
    expect(lines).toEqual(expect.arrayContaining(['x-multi: one', 'x-multi: two', 'keep-alive: timeout=5']));
    expect(lines.filter((l) => l.startsWith('connection:'))).toHaveLength(1);
  });
});

describe('/__mock/slow', () => {
  it('waits the requested time', async () => {
    const started = performance.now();
    const res = await call(h, '/__mock/slow?ms=200');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ waitedMs: 200 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('gives up when the client disconnects', async () => {
    const controller = new AbortController();
    const pending = request(`${h.mock.url}/__mock/slow?ms=30000`, { dispatcher: h.client, signal: controller.signal });
    await vi.waitFor(() => expect(h.mock.stats.inFlight).toBe(1), { timeout: 5000 });
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(h.mock.stats.inFlight).toBe(0), { timeout: 5000 });
  });
});

describe('close()', () => {
  it('ends promptly even with a long request open', async () => {
    const local = await startHarness();
    const agent = new Agent({ connect: { ca: local.pki.ca.certPem, cert: local.pki.client.certPem, key: local.pki.client.keyPem } });
    const pending = request(`${local.mock.url}/__mock/slow?ms=30000`, { dispatcher: agent }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(local.mock.stats.inFlight).toBe(1), { timeout: 5000 });
    const started = performance.now();
    await local.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
    await agent.destroy();
  });
});
