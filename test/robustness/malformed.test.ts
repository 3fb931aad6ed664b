// Broken HTTP, sent over raw sockets: each gets a 4xx problem from the proxy itself, and
// the proxy keeps serving everyone else.
import { once } from 'node:events';
import net from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { problemOf, rawRequest } from '../support/raw-http.js';

let upstream: Upstream;
let proxy: RunningInstance;

beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await startProxy(upstream);
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

const HEAD = 'GET /__mock/echo HTTP/1.1\r\nHost: localhost\r\n';

const CASES: Array<[string, string, number, string]> = [
  ['a garbage request line', 'GARBAGE\r\n\r\n', 400, 'bad_request_line'],
  ['an unknown method', 'FROB /__mock/echo HTTP/1.1\r\nHost: localhost\r\n\r\n', 400, 'bad_request_line'],
  ['a bad HTTP version', 'GET /__mock/echo HTTP/9.x\r\nHost: localhost\r\n\r\n', 400, 'bad_request_line'],
  ['a control character in a header value', `${HEAD}X-Bad: a\u0001b\r\n\r\n`, 400, 'bad_header'],
  ['a space in a header name', `${HEAD}X Bad: value\r\n\r\n`, 400, 'bad_header'],
  ['headers past 16 KB', `${HEAD}X-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431, 'headers_too_large'],
  ['many headers past 16 KB together', `${HEAD}${Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'v'.repeat(40)}\r\n`).join('')}\r\n`, 431, 'headers_too_large'],
  ['a Content-Length that overflows', 'POST /__mock/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999999999999999\r\n\r\n', 400, 'bad_content_length'],
  ['a negative Content-Length', 'POST /__mock/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n', 400, 'bad_content_length'],
  ['a list as Content-Length', 'POST /__mock/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1, 2\r\n\r\n', 400, 'bad_content_length'],
  ['Content-Length next to chunked (request smuggling)', 'POST /__mock/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'bad_transfer_encoding'],
  ['an absurd but well-formed Content-Length', 'POST /__mock/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9007199254740993\r\n\r\nabc', 413, 'request_body_too_large'],
  ['a malformed chunked body', 'POST /__mock/echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', 400, 'bad_chunked_body'],
  ['an invalid %-escape in the path', 'GET /t/%zz HTTP/1.1\r\nHost: localhost\r\n\r\n', 400, 'bad_request_target'],
  ['a method the proxy does not forward', 'TRACE /__mock/echo HTTP/1.1\r\nHost: localhost\r\n\r\n', 405, 'method_not_supported'],
];

describe('malformed requests', () => {
  // After these the connection can carry on; after the others the proxy cannot know where the next request starts.
  const KEEPS_CONNECTION = new Set(['bad_request_target', 'method_not_supported']);

  it.each(CASES)('%s: %s %s', async (_name, text, status, code) => {
    const before = upstream.mock.stats.requests;
    const response = await rawRequest(proxy.url, text);
    expect(response.status).toBe(status);
    const problem = problemOf(response);
    expect(problem).toMatchObject({ status, code });
    expect(typeof problem.detail).toBe('string');
    expect(typeof problem.requestId).toBe('string');
    expect(response.body).not.toMatch(/node_modules|\/work\/|\bat .*:\d+/);
    expect(response.closed).toBe(!KEEPS_CONNECTION.has(code));
    expect(upstream.mock.stats.requests).toBe(before);
    const health = await request(`${proxy.url}/__proxy/health`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
  });

  it('names the allowed methods when refusing one', async () => {
    const response = await rawRequest(proxy.url, 'PROPFIND /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('DELETE, GET, HEAD, PATCH, POST, PUT, OPTIONS');
  });

  it('keeps serving while a client sends half its headers and goes quiet, and after it hangs up', async () => {
    const { hostname, port } = new URL(proxy.url);
    const socket = net.connect(Number(port), hostname);
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    await once(socket, 'connect');
    socket.write('GET /__mock/echo HTTP/1.1\r\nHost: loc');
    const during = await request(`${proxy.url}/__proxy/health`);
    expect(during.statusCode).toBe(200);
    await during.body.dump();
    socket.end();
    await once(socket, 'close');
    expect(received).toMatch(/^HTTP\/1\.1 400 /);
    expect(received).toContain('application/problem+json');
    const after = await request(`${proxy.url}/__proxy/health`);
    expect(after.statusCode).toBe(200);
    await after.body.dump();
  });
});
