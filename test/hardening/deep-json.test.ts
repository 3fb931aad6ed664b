// JSON nested thousands of levels deep (a few kilobytes) used to end the whole proxy while
// its record was built. Now the proxy keeps serving, the exchange gets its one record, and
// the body is recorded as text with a note saying why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedProxy } from '../support/cli.js';
import { recordsOf, startProxyProcess, startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';

const nested = (depth: number, leaf: string): string => `${'{"a":['.repeat(depth)}${leaf}${']}'.repeat(depth)}`;
const DEEP_REQUEST = nested(6000, '{"bsn":"123456782"}');
const DEEP_RESPONSE = `[${'['.repeat(9000)}"x"${']'.repeat(9000)}]`;

let upstream: ScriptedUpstream;

beforeAll(async () => {
  upstream = await startScriptedUpstream((request, _body, response) => {
    if (request.url === '/deep') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(DEEP_RESPONSE);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
afterAll(async () => {
  await upstream.close();
});

type Message = { body?: unknown; bodyEncoding: string; bodyNote?: string; bodyBytes: number };

async function exchange(proxy: SpawnedProxy): Promise<{ requestId: string; responseId: string }> {
  const posted = await fetch(`${proxy.url}/v0/upload`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: DEEP_REQUEST });
  expect(posted.status).toBe(200);
  await posted.text();
  const deep = await fetch(`${proxy.url}/deep`);
  expect(deep.status).toBe(200);
  expect(await deep.text()).toBe(DEEP_RESPONSE);
  return { requestId: posted.headers.get('x-request-id') ?? '', responseId: deep.headers.get('x-request-id') ?? '' };
}

describe.each([
  ['without fields to mask', {}],
  ['with ONS_PROXY_REDACT_FIELDS', { ONS_PROXY_REDACT_FIELDS: 'bsn' }],
])('a deeply nested JSON body, %s', (_name, env: Record<string, string>) => {
  it('leaves the proxy serving, and the exchange with its one record holding the body as text', async () => {
    const logDir = `${upstream.dir}/logs-${Object.keys(env).length}`;
    const proxy = await startProxyProcess(upstream, { ...env, ONS_PROXY_LOG_DIR: logDir });
    try {
      const { requestId, responseId } = await exchange(proxy);
      const health = await fetch(`${proxy.url}/__proxy/health`);
      expect(health.status).toBe(200);

      const records = await recordsOf(upstream, 2, logDir);
      expect(records.filter((record) => record.id === requestId)).toHaveLength(1);
      const posted = records.find((record) => record.id === requestId) as unknown as { request: Message };
      expect(posted.request).toMatchObject({ bodyEncoding: 'text', bodyBytes: DEEP_REQUEST.length });
      expect(posted.request.bodyNote).toMatch(/nests deeper than 100 levels: recorded as text/);
      if (env.ONS_PROXY_REDACT_FIELDS) {
        expect(posted.request.body).not.toContain('123456782');
        expect(posted.request.body).toContain('"bsn":"[redacted]"');
      } else {
        expect(posted.request.body).toBe(DEEP_REQUEST);
      }
      const answered = records.find((record) => record.id === responseId) as unknown as { response: Message };
      expect(answered.response).toMatchObject({ bodyEncoding: 'text', body: DEEP_RESPONSE });

      // Every reader of the records copes with them too.
      const har = await fetch(`${proxy.url}/__proxy/har`);
      expect(har.status).toBe(200);
      expect(((await har.json()) as { log: { entries: unknown[] } }).log.entries).toHaveLength(2);
      const detail = await fetch(`${proxy.url}/__proxy/api/exchanges/${responseId}`);
      expect(detail.status).toBe(200);
    } finally {
      expect(await proxy.stop()).toBe(0);
    }
    expect(proxy.output()).not.toMatch(/RangeError|Maximum call stack/);
  });
});
