// A chunked upload declares no length, so the 1 GiB body limit used to pass it through
// whole. The proxy now counts the streamed bytes: past the limit the client gets a 413
// problem, the upstream gets a cut-off body (never a complete one), and the record says 413.
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BODY_BYTES } from '../../src/proxy/guards/body-size.js';
import type { SpawnedProxy } from '../support/cli.js';
import { recordsOf, startProxyProcess, startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';

const CHUNK = Buffer.alloc(1024 * 1024, 'a');

let upstream: ScriptedUpstream;
let proxy: SpawnedProxy;

beforeAll(async () => {
  upstream = await startScriptedUpstream((_request, _body, response) => {
    response.writeHead(201, { 'content-type': 'text/plain' }).end('stored');
  });
  proxy = await startProxyProcess(upstream, { ONS_PROXY_LOG_BODY_LIMIT: '1024' });
});
afterAll(async () => {
  await proxy.stop();
  await upstream.close();
});

function chunks(count: number): Readable {
  let sent = 0;
  return new Readable({ read() { this.push(sent++ < count ? CHUNK : null); } });
}

describe('a chunked upload', () => {
  it('past the body limit gets a 413 problem and its record, and never reaches the upstream whole', async () => {
    const chunkCount = MAX_REQUEST_BODY_BYTES / CHUNK.length + 8;
    let status: number | undefined;
    let id: string | undefined;
    try {
      const response = await request(`${proxy.url}/v0/documents`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: chunks(chunkCount) });
      status = response.statusCode;
      id = String(response.headers['x-request-id']);
      expect(await response.body.json()).toMatchObject({ code: 'request_body_too_large', status: 413, requestId: id });
    } catch (error) {
      // The proxy may close the connection while the client is still writing: then only the record tells.
      expect((error as Error & { code?: string }).code).toMatch(/UND_ERR_SOCKET|ECONNRESET|EPIPE/);
    }
    const records = (await recordsOf(upstream, 1)) as unknown as Array<{ id: string; method: string; url: string; status: number; response: { body: { code: string } } }>;
    const recorded = records.filter((record) => record.url === '/v0/documents');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ method: 'POST', status: 413, response: { body: { code: 'request_body_too_large' } } });
    if (status !== undefined) {
      expect(status).toBe(413);
      expect(recorded[0]?.id).toBe(id);
    }
    // The upstream saw a broken request, or none: never a complete one that it answered.
    expect(upstream.seen.filter((seen) => seen.url === '/v0/documents')).toEqual([]);
    expect((await fetch(`${proxy.url}/__proxy/health`)).status).toBe(200);
  }, 180_000);

  it('within the limit is forwarded whole', async () => {
    const response = await request(`${proxy.url}/v0/documents/small`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: chunks(3) });
    expect(response.statusCode).toBe(201);
    await response.body.dump();
    expect(upstream.seen.find((seen) => seen.url === '/v0/documents/small')?.bodyBytes).toBe(3 * CHUNK.length);
  });
});
