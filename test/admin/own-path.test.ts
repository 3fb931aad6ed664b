// "The proxy's own path" is one decision: every spelling of /__proxy/ a server on the way
// might read as it (case, slashes, dots, percent-encoding, ;parameters) is answered by the
// proxy and never reaches the upstream, while every request that does reach it is recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { rawRequest, rawUntilClose } from '../support/raw-http.js';
import { allRecords, assertValidRecord } from '../support/records.js';

const ADMIN_SPELLINGS = [
  '/__proxy',
  '/__proxy?x=1',
  '/__PROXY/health',
  '/__Proxy/status',
  '//__proxy/health',
  '///__proxy//health',
  '/./__proxy/health',
  '/__proxy/./health',
  '/t/../__proxy/health',
  '/t/%2e%2e/__proxy/health',
  '/t/%2E%2E%2F__proxy%2Fhealth',
  '/%5F%5Fproxy/health',
  '/%5f%5fPROXY/nope',
  '/__pro%78y/health',
  '/%255F%255Fproxy/health',
  '/__proxy%2Fhealth',
  '/__proxy%2fapi%2fexchanges',
  '/__proxy;v=1/health',
  '/__proxy%3Bv=1/status',
  '/__proxy/nope?bsn=1',
  '/__proxy/assets/..%2f..%2fpackage.json',
  '/__proxy/a/../../t/clients',
  'http://localhost/__PROXY/health',
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'TRACE'];
const LOOKALIKES = ['/__proxyx/health', '/__prox/health', '/t/__proxy/health', '/__proxy_/x', '/%5F_proxyz/health'];

let upstream: Upstream;
let proxy: RunningInstance;
let closed = false;

beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await startProxy(upstream);
});

afterAll(async () => {
  if (!closed) await proxy?.close();
  await upstream?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function send(method: string, target: string): Promise<Answer> {
  const body = method === 'GET' || method === 'HEAD' ? '' : '{"a":1}';
  const lengthHeader = body === '' ? '' : `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
  const text = `${method} ${target} HTTP/1.1\r\nhost: localhost\r\n${lengthHeader}connection: close\r\n\r\n${body}`;
  if (method !== 'HEAD') return rawRequest(proxy.url, text);
  // A HEAD answer declares a length it does not send: read the head alone.
  const [head = ''] = (await rawUntilClose(proxy.url, text)).split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: '' };
}

describe('the proxy\'s own path', () => {
  it('answers every spelling of /__proxy/ with every method itself, and forwards none of them', async () => {
    const before = upstream.mock.stats.requests;
    const answers: string[] = [];
    for (const target of ADMIN_SPELLINGS) {
      for (const method of METHODS) {
        const response = await send(method, target);
        answers.push(`${method} ${target} ${response.status}`);
        expect(response.headers['x-request-id'], `${method} ${target}`).toBeDefined();
        // The proxy's own answers: a page (200), the redirect to the inspector, its 404, or a refused method.
        expect([200, 302, 404, 405], `${method} ${target} got ${response.status}`).toContain(response.status);
      }
    }
    expect(upstream.mock.stats.requests - before, answers.join('\n')).toBe(0);
  });

  it('serves a spelling of an admin page as that page', async () => {
    for (const target of ['/__PROXY/health', '/%5F%5Fproxy/health', '/__proxy%2Fhealth', '//__proxy/health', '/t/../__proxy/health']) {
      const response = await send('GET', target);
      expect(response.status, target).toBe(200);
      expect(JSON.parse(response.body), target).toEqual({ status: 'ok' });
    }
  });

  it('forwards look-alike paths and records every forwarded request, whatever the method', async () => {
    const before = upstream.mock.stats.requests;
    const ids: string[] = [];
    for (const target of LOOKALIKES) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const response = await send(method, target);
        ids.push(response.headers['x-request-id'] ?? '');
      }
    }
    expect(upstream.mock.stats.requests - before).toBe(ids.length);
    // Closing writes out every record held.
    await proxy.close();
    closed = true;
    const records = await allRecords(proxy.config.logDir);
    for (const record of records) assertValidRecord(record);
    const recordedIds = new Set(records.map((record) => record.id));
    expect(ids.filter((id) => !recordedIds.has(id))).toEqual([]);
    // And nothing of the proxy's own was recorded.
    expect(records.filter((record) => !LOOKALIKES.includes(record.url))).toEqual([]);
  });
});
