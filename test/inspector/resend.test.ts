// Resend over real sockets: the recorded JSON body goes out as its own bytes, a masked value
// is refused rather than sent, and a resend that fails says why in its own answer.
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import type { TrafficRecord } from '../../src/traffic/record.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import type { MockEchoResponse } from '../support/mock-test-routes.js';

const EXACT = '{"id": 9007199254740993, "name": "Jan\\u00e9", "score": 1.0, "items": [ 1, 2 ]}';

let upstream: Upstream;
let proxy: RunningInstance;
beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await startProxy(upstream);
});
afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
});

async function send(target: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<string> {
  const response = await request(`${proxy.url}${target}`, { method: (init.method ?? 'GET') as 'GET', headers: { accept: 'application/json', ...init.headers }, body: init.body });
  await response.body.dump();
  return String(response.headers['x-request-id']);
}

async function resend(id: string, edits: object = {}): Promise<{ status: number; data: { error?: string; resent?: TrafficRecord } }> {
  const response = await request(`${proxy.url}/__proxy/api/exchanges/${id}/resend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(edits) });
  return { status: response.statusCode, data: (await response.body.json()) as { error?: string; resent?: TrafficRecord } };
}

describe('resend from the inspector API', () => {
  it("serves the record with the JSON body's own text, and sends those bytes again", async () => {
    const id = await send('/__mock/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: EXACT });
    const detail = await request(`${proxy.url}/__proxy/api/exchanges/${id}`);
    expect(detail.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(await detail.body.text()).toContain(`"body":${EXACT}`);

    const { status, data } = await resend(id);
    expect(status).toBe(200);
    const echoed = data.resent?.response.body as MockEchoResponse;
    expect(echoed.bodySha256).toBe(createHash('sha256').update(EXACT).digest('hex'));
    expect(echoed.bodyBytes).toBe(Buffer.byteLength(EXACT));
  });

  it('says it cannot send a masked query value, rather than sending the mask', async () => {
    const redacting = await startProxy(upstream, { redactFields: ['x'] });
    try {
      const answer = await request(`${redacting.url}/t/clients/1?x=secret`);
      await answer.body.dump();
      const response = await request(`${redacting.url}/__proxy/api/exchanges/${String(answer.headers['x-request-id'])}/resend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.statusCode).toBe(400);
      expect(((await response.body.json()) as { error: string }).error).toBe('The path holds a value the record masks (/t/clients/1?x=%5Bredacted%5D): the real value is not kept, so it cannot be sent again as recorded. Use Edit and resend and put the value in.');
    } finally {
      await redacting.close();
    }
  });

  it('says it cannot send a masked header, and sends once the edit gives the value', async () => {
    const id = await send('/__mock/echo', { headers: { authorization: 'Bearer abc' } });
    const refused = await resend(id);
    expect(refused.status).toBe(400);
    expect(refused.data.error).toMatch(/^Header "authorization" is masked in the record \(\[redacted\]\): the real value is not kept/);
    const edited = await resend(id, { headers: { accept: 'application/json', authorization: 'Bearer again' } });
    expect(edited.status).toBe(200);
    expect(edited.data.resent?.request.headers.authorization).toBe('[redacted]');
  });

  it('answers a resend that could not be sent with the reason, not with a pointer to a record that does not exist', async () => {
    const id = await send('/t/clients/1');
    const { status, data } = await resend(id, { headers: { 'x-line': 'one\ntwo' } });
    expect(status).toBe(502);
    expect(data.error).toMatch(/^The request could not be sent again through the proxy: /);
    expect(data.error).not.toContain('record');
  });
});
