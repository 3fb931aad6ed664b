import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockEchoResponse } from '../support/mock-test-routes.js';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { rawUntilClose } from '../support/raw-http.js';

const run = promisify(execFile);

let upstream: Upstream;
let proxy: RunningInstance;
let direct: Agent;

beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await startProxy(upstream);
  direct = new Agent({ connect: { ca: upstream.pki.ca.certPem, cert: upstream.pki.client.certPem, key: upstream.pki.client.keyPem } });
});
afterAll(async () => {
  await direct.close();
  await proxy.close();
  await upstream.close();
});

async function echo(method: string, pathAndQuery: string, options: { headers?: Record<string, string | string[]>; body?: string | Buffer } = {}): Promise<MockEchoResponse> {
  const response = await request(`${proxy.url}${pathAndQuery}`, { method: method as 'GET', headers: options.headers, body: options.body });
  expect(response.statusCode).toBe(200);
  return (await response.body.json()) as MockEchoResponse;
}

describe('forwarding over mTLS', () => {
  it.each(['GET', 'DELETE', 'OPTIONS'])('forwards %s with the path and query string byte for byte', async (method) => {
    const target = '/__mock/echo?a=1&a=2&b=%20x+y&flag&empty=&%C3%A9=%E2%82%AC';
    const seen = await echo(method, target);
    expect(seen.method).toBe(method);
    expect(seen.url).toBe(target);
  });

  it.each(['POST', 'PUT', 'PATCH'])('forwards a %s body unchanged', async (method) => {
    const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const seen = await echo(method, '/__mock/echo', { body, headers: { 'content-type': 'application/octet-stream' } });
    expect(seen.bodyBytes).toBe(body.length);
    expect(seen.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it.each([
    ['text/plain; charset=utf-8', Buffer.from('hé, not parsed\n', 'utf8')],
    ['application/json', Buffer.from('{ "kept" :  [1,2 ] }')],
    ['application/x-www-form-urlencoded', Buffer.from('a=1&a=2&b=%20')],
  ])('forwards a %s body as sent, its content type included', async (contentType, body) => {
    const seen = await echo('POST', '/__mock/echo', { body, headers: { 'content-type': contentType } });
    expect(seen.headers['content-type']).toBe(contentType);
    expect(seen.bodyBytes).toBe(body.length);
    expect(seen.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it.each(['/t/a/../b', '/t/%2e%2E/b', '/t/a/..%2fb'])('refuses %s (a ".." segment) with a 400 problem, never forwarding it', async (target) => {
    const before = upstream.mock.stats.requests;
    const raw = await rawUntilClose(proxy.url, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/\r\ncontent-type: application\/problem\+json/i);
    const problem = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { code: string; detail: string };
    expect(problem.code).toBe('path_not_forwarded');
    expect(problem.detail).toContain(target);
    expect(upstream.mock.stats.requests).toBe(before);
  });

  it('presents the client certificate, with the upstream host as Host and SNI', async () => {
    const seen = await echo('GET', '/__mock/echo');
    const expected = new X509Certificate(upstream.pki.client.certPem);
    expect(seen.clientCertificate?.serialNumber).toBe(expected.serialNumber);
    expect(seen.tlsServername).toBe('localhost');
    expect(seen.headers.host).toBe(new URL(upstream.mock.url).host);
  });

  it('keeps end-to-end request headers, repeated ones included, and strips hop-by-hop ones', async () => {
    const raw = await rawUntilClose(
      proxy.url,
      'GET /__mock/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nX-Multi: one\r\nX-Multi: two\r\n' +
        'X-Custom: kept\r\nConnection: close, x-secret\r\nX-Secret: dropped\r\nKeep-Alive: timeout=9\r\nTE: trailers\r\nUpgrade: h2c\r\n\r\n',
    );
    const seen = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as MockEchoResponse;
    const names = seen.rawHeaders.map(([name]) => name.toLowerCase());
    expect(seen.rawHeaders.filter(([name]) => name.toLowerCase() === 'x-multi').map(([, value]) => value).join(',')).toMatch(/^one(, |,)two$/);
    expect(seen.headers['x-custom']).toBe('kept');
    for (const hop of ['x-secret', 'keep-alive', 'te', 'upgrade']) expect(names).not.toContain(hop);
  });

  it('keeps repeated response headers and strips the upstream hop-by-hop ones', async () => {
    const raw = await rawUntilClose(proxy.url, 'GET /__mock/headers HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n')).toLowerCase();
    expect(head.match(/^set-cookie: .*$/gm)).toEqual(['set-cookie: a=1; path=/; httponly', 'set-cookie: b=2; path=/; secure']);
    expect(head.match(/^x-multi: .*$/gm)).toEqual(['x-multi: one', 'x-multi: two']);
    expect(head).not.toContain('timeout=5');
    expect(head).toMatch(/^x-request-id: [0-9a-f-]{36}$/m);
  });

  it.each([201, 204, 304, 400, 404, 409, 418, 422, 495, 502, 503])('passes status %i through, once', async (status) => {
    const before = upstream.mock.stats.requests;
    const response = await request(`${proxy.url}/__mock/status/${status}`);
    await response.body.dump();
    expect(response.statusCode).toBe(status);
    // Proxies built on reply-from retry GET on 503 by default; this one must not.
    expect(upstream.mock.stats.requests - before).toBe(1);
  });

  it('passes a status without a reason phrase, and names nginx\'s 495', async () => {
    const teapot = await rawUntilClose(proxy.url, 'GET /__mock/status/418?reason=none HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(teapot).toMatch(/^HTTP\/1\.1 418 /);
    const invalid = await rawUntilClose(proxy.url, 'GET /__mock/status/495 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(invalid).toMatch(/^HTTP\/1\.1 495 SSL Certificate Error\r\n/);
  });

  it.each(['gzip', 'deflate', 'br'])('delivers a %s body with the exact bytes the upstream sent', async (encoding) => {
    const viaDirect = await request(`${upstream.mock.url}/__mock/gzip?encoding=${encoding}`, { dispatcher: direct, headers: { 'accept-encoding': encoding } });
    const viaProxy = await request(`${proxy.url}/__mock/gzip?encoding=${encoding}`, { headers: { 'accept-encoding': encoding } });
    const [expected, actual] = await Promise.all([viaDirect.body.arrayBuffer(), viaProxy.body.arrayBuffer()]);
    expect(viaProxy.headers['content-encoding']).toBe(encoding);
    expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
  });

  it('keeps content-length responses sized and chunked ones chunked', async () => {
    const sized = await rawUntilClose(proxy.url, 'GET /__mock/bytes?size=100000 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(sized).toMatch(/\r\ncontent-length: 100000\r\n/i);
    const chunked = await rawUntilClose(proxy.url, 'GET /__mock/bytes?size=100000&chunked=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(chunked).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
  });

  it('handles Expect: 100-continue from curl', async () => {
    const file = path.join(upstream.dir, 'upload.bin');
    const body = Buffer.alloc(3 * 1024 * 1024, 7);
    await writeFile(file, body);
    const { stdout, stderr } = await run('curl', ['-sS', '-v', '--fail-with-body', '-H', 'Expect: 100-continue', '-H', 'content-type: application/octet-stream', '--data-binary', `@${file}`, `${proxy.url}/__mock/upload`]);
    expect(stderr).toContain('HTTP/1.1 100 Continue');
    expect(JSON.parse(stdout)).toEqual({ bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  });

  it('gives every response its own x-request-id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const response = await request(`${proxy.url}/ping`, { headers: { accept: 'text/plain' } });
      await response.body.dump();
      ids.add(String(response.headers['x-request-id']));
    }
    expect(ids.size).toBe(5);
  });

  it('answers /__proxy/health without touching the upstream', async () => {
    const before = upstream.mock.stats.requests;
    const response = await request(`${proxy.url}/__proxy/health`);
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toMatchObject({ status: 'ok' });
    expect(upstream.mock.stats.requests).toBe(before);
  });
});

describe('upstream verification', () => {
  it('refuses an upstream whose certificate does not verify, with a clear 502', async () => {
    // Without ONS_PROXY_CA the demo CA is unknown: the proxy must not fall back to trusting it.
    const untrusting = await startProxy(upstream, { ca: undefined });
    try {
      const before = upstream.mock.stats.requests;
      const response = await request(`${untrusting.url}/ping`);
      expect(response.statusCode).toBe(502);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      const problem = (await response.body.json()) as Record<string, unknown>;
      expect(problem).toMatchObject({ status: 502, code: 'upstream_certificate_untrusted', requestId: response.headers['x-request-id'] });
      expect(String(problem.detail)).toContain('ONS_PROXY_CA');
      expect(upstream.mock.stats.requests).toBe(before);
    } finally {
      await untrusting.close();
    }
  });

  it('reports a dead upstream as 502 connection refused', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const orphan = await startProxy(upstream, { upstream: `https://127.0.0.1:${port}` });
    try {
      const response = await request(`${orphan.url}/t/clients`);
      expect(response.statusCode).toBe(502);
      expect(await response.body.json()).toMatchObject({ code: 'upstream_connection_refused' });
    } finally {
      await orphan.close();
    }
  });
});

describe('the proxy\'s own pages', () => {
  it('answers an unknown /__proxy/ path itself with 404, never forwarding it', async () => {
    const before = upstream.mock.stats.requests;
    const response = await request(`${proxy.url}/__proxy/nope?x=1`);
    expect(response.statusCode).toBe(404);
    expect(await response.body.json()).toMatchObject({ code: 'proxy_page_not_found', status: 404 });
    expect(upstream.mock.stats.requests).toBe(before);
  });
});
