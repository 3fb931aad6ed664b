// Answers the proxy writes outside fastify (a CONNECT tunnel, a request Node's parser
// rejects) carry an x-request-id that names their record, like every other answer; a
// chunked request with a bad trailer is recorded with the status the client got; URLs
// are recorded at most 4096 characters long.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedProxy } from '../support/cli.js';
import { problemOf, rawRequest } from '../support/raw-http.js';
import { recordsOf, startProxyProcess, startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';

let upstream: ScriptedUpstream;
let proxy: SpawnedProxy;

beforeAll(async () => {
  upstream = await startScriptedUpstream((_request, _body, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  proxy = await startProxyProcess(upstream);
});
afterAll(async () => {
  expect(await proxy.stop()).toBe(0);
  await upstream.close();
});

type Recorded = { id: string; method: string; url: string; status: number; response: { headers: Record<string, string>; body: unknown } };

async function recordOf(id: string): Promise<Recorded> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = ((await recordsOf(upstream, 1)) as unknown as Recorded[]).filter((record) => record.id === id);
    if (found.length > 0) {
      expect(found).toHaveLength(1);
      return found[0] as Recorded;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no record ${id}`);
}

describe('answers written outside fastify', () => {
  it('gives a CONNECT tunnel its 405 with an x-request-id, and a record of it', async () => {
    const response = await rawRequest(proxy.url, 'CONNECT api.example.org:443 HTTP/1.1\r\nHost: api.example.org:443\r\nUser-Agent: curl/8\r\n\r\n');
    expect(response.status).toBe(405);
    const id = response.headers['x-request-id'] ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(problemOf(response)).toMatchObject({ code: 'tunnel_not_supported', requestId: id });
    const record = await recordOf(id);
    expect(record).toMatchObject({ method: 'CONNECT', url: 'api.example.org:443', status: 405 });
    expect(record.response.body).toMatchObject({ code: 'tunnel_not_supported', requestId: id });
    expect(record.response.headers['x-request-id']).toBe(id);
  });

  it.each([
    ['a garbage request line', 'GARBAGE\r\n\r\n', 400, '', ''],
    ['a header with a control character', 'GET /v0/clients HTTP/1.1\r\nHost: localhost\r\nX-Bad: a\u0001b\r\n\r\n', 400, 'GET', '/v0/clients'],
    ['headers past 16 KB', `GET /v0/big HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431, 'GET', '/v0/big'],
  ])('answers %s with a problem whose request id names its record', async (_name, text, status, method, url) => {
    const response = await rawRequest(proxy.url, text);
    expect(response.status).toBe(status);
    const id = response.headers['x-request-id'] ?? '';
    expect(problemOf(response).requestId).toBe(id);
    expect(await recordOf(id)).toMatchObject({ status, method, url });
  });

  it('records a chunked request with a bad trailer with the 400 the client got', async () => {
    const response = await rawRequest(
      proxy.url,
      'POST /v0/upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nBad Trailer\r\n\r\n',
    );
    expect(response.status).toBe(400);
    const id = response.headers['x-request-id'] ?? '';
    expect(problemOf(response).requestId).toBe(id);
    expect(await recordOf(id)).toMatchObject({ status: 400, method: 'POST', url: '/v0/upload' });
  });

  it('records at most 4096 characters of a URL, and says how long it was', async () => {
    const long = `/v0/clients?q=${'x'.repeat(12_000)}`;
    const response = await fetch(`${proxy.url}${long}`);
    expect(response.status).toBe(200);
    const record = await recordOf(response.headers.get('x-request-id') ?? '');
    expect(record.url).toBe(`${long.slice(0, 4096)}[... cut: ${long.length} characters in all]`);
  });

  it('is still serving', async () => {
    expect((await fetch(`${proxy.url}/__proxy/health`)).status).toBe(200);
  });
});
