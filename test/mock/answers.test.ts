// What the mock answers beyond the happy path, over real sockets against the built command:
// the same bytes for the same request and seed across runs, Prefer, the API's 400 for a
// request it would refuse, NDJSON lines, literal segments before parameters, removed /t/
// paths with their hint in the record and on the console, and models it must compose.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDocumentFile } from '../../src/openapi/index.js';
import { SchemaValidators } from '../../src/openapi/validators.js';
import type { SpawnedProxy } from '../support/cli.js';
import { allRecords, assertValidRecord, byId } from '../support/records.js';
import { outputContains } from '../replay/helpers.js';
import { call, startMock } from './helpers.js';

const DEMO_DOCUMENT = fileURLToPath(new URL('../../config/demo-openapi.json', import.meta.url));
const COMPOSITION_DOCUMENT = fileURLToPath(new URL('./composition.json', import.meta.url));

let dir: string;
let mock: SpawnedProxy;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-mock-answers-'));
  mock = await startMock(dir, ['--openapi', DEMO_DOCUMENT, '--seed', '7']);
});
afterAll(async () => {
  await mock?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface ErrorEntries {
  errorResponseEntries: Array<{ field: string; value: string; message: string }>;
}

async function recordOf(logDir: string, id: string | string[] | undefined): Promise<ReturnType<typeof byId>> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const records = await allRecords(logDir).catch(() => []);
    if (records.some((record) => record.id === id)) return byId(records, id);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no record ${String(id)} in ${logDir}`);
}

describe('ons-proxy mock', () => {
  it('answers the same bytes for the same request and seed across runs, and other ids for another seed', async () => {
    const targets = ['/v0/administration/clients?limit=4&offset=2', '/v0/administration/clients/42', '/v0/administration/clients/export', '/v0/administration/employees/9'];
    const first = await Promise.all(targets.map((target) => call(mock.url, target)));
    const again = await startMock(dir, ['--openapi', DEMO_DOCUMENT, '--seed', '7'], { ONS_PROXY_LOG_DIR: path.join(dir, 'again-logs') });
    const other = await startMock(dir, ['--openapi', DEMO_DOCUMENT, '--seed', '8'], { ONS_PROXY_LOG_DIR: path.join(dir, 'other-logs') });
    try {
      const second = await Promise.all(targets.map((target) => call(again.url, target)));
      expect(second.map((answer) => answer.text)).toEqual(first.map((answer) => answer.text));
      const otherList = JSON.parse((await call(other.url, targets[0] as string)).text) as Array<{ id: number }>;
      const firstList = JSON.parse(first[0]?.text ?? '') as Array<{ id: number }>;
      expect(otherList.map((client) => client.id)).not.toEqual(firstList.map((client) => client.id));
    } finally {
      await again.stop();
      await other.stop();
    }
    // limit items from offset on, consecutive ids a next page continues; the path's id carried into the answer.
    const list = JSON.parse(first[0]?.text ?? '') as Array<{ id: number }>;
    expect(list).toHaveLength(4);
    const nextPage = JSON.parse((await call(mock.url, '/v0/administration/clients?limit=2&offset=6')).text) as Array<{ id: number }>;
    expect(nextPage[0]?.id).toBe((list[3]?.id ?? 0) + 1);
    expect(JSON.parse(first[1]?.text ?? '')).toMatchObject({ id: 42 });
    expect(JSON.parse(first[3]?.text ?? '')).toMatchObject({ id: 9 });
  });

  it('streams NDJSON answers as a few lines, each a whole model', async () => {
    const answer = await call(mock.url, '/v0/administration/clients/export', { headers: { accept: 'application/x-ndjson' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = answer.text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ id: expect.any(Number) as number, name: { family: expect.any(String) as string } });
  });

  it('routes literal segments before parameters: /clients/find is not /clients/{id}', async () => {
    const find = await call(mock.url, '/v0/administration/clients/find?name=Jansen');
    expect(find.headers['x-ons-proxy-mock']).toBe('ClientAPI.find');
    expect(Array.isArray(JSON.parse(find.text))).toBe(true);
    expect((await call(mock.url, '/v0/administration/clients/12')).headers['x-ons-proxy-mock']).toBe('ClientAPI.byId');
    expect((await call(mock.url, '/v0/administration/clients/12/last_visited_clients')).headers['x-ons-proxy-mock']).toBe('ClientAPI.lastVisitedClients');
    expect((await call(mock.url, '/v0/administration/clients/multiple?ids[]=1&ids[]=2')).status).toBe(200);
  });

  it('answers a removed /t/ path with 404 in Ons\'s error shape naming the /v0/ path, the hint in the record and on the console', async () => {
    const answer = await call(mock.url, '/t/clients/3');
    expect(answer.status).toBe(404);
    const body = JSON.parse(answer.text) as ErrorEntries;
    expect(body.errorResponseEntries).toHaveLength(1);
    expect(body.errorResponseEntries[0]).toMatchObject({ field: 'path', value: '/t/clients/3' });
    expect(body.errorResponseEntries[0]?.message).toContain('/v0/administration/clients/{id}');
    const record = await recordOf(path.join(dir, 'logs'), answer.headers['x-request-id']);
    assertValidRecord(record);
    expect(record).toMatchObject({ status: 404, tag: 'mock', answeredBy: 'mock', operation: { id: 'ClientAPI.byId', replacedBy: '/v0/administration/clients/{id}' } });
    expect(record.hint).toContain('was removed');
    expect(await outputContains(mock.output, 'GET /t/clients/3 (/t/clients/{id}) was removed')).toBe(true);
  });

  it('answers an unknown path 404 with the nearest operations, and another method 405 with Allow', async () => {
    const unknown = await call(mock.url, '/v0/administration/clientz');
    expect(unknown.status).toBe(404);
    expect((JSON.parse(unknown.text) as ErrorEntries).errorResponseEntries[0]?.message).toContain('Nearest: GET /v0/administration/clients ');
    const method = await call(mock.url, '/v0/administration/clients/3', { method: 'DELETE' });
    expect(method.status).toBe(405);
    expect(method.headers.allow).toBe('GET');
    expect((JSON.parse(method.text) as ErrorEntries).errorResponseEntries[0]).toMatchObject({ field: 'method', value: 'DELETE' });
  });

  it('refuses what the API would refuse with 400 in its error shape', async () => {
    const missing = await call(mock.url, '/v0/administration/clients/in_care_in_period?to_date=2026-02-01');
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text)).toEqual({ errorResponseEntries: [{ field: 'from_date', value: '', message: 'required query parameter is missing (string, date)' }] });
    const unfit = await call(mock.url, '/v0/administration/clients/in_care_in_period?from_date=tomorrow&to_date=2026-02-01');
    expect((JSON.parse(unfit.text) as ErrorEntries).errorResponseEntries).toEqual([{ field: 'from_date', value: 'tomorrow', message: expect.stringContaining('"tomorrow" must match format "date"') as string }]);
    expect((await call(mock.url, '/v0/administration/clients/abc')).status).toBe(400);

    const notes = '/v0/administration/clients/42/notes';
    const noBody = await call(mock.url, notes, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(noBody.status).toBe(400);
    expect(JSON.parse(noBody.text)).toEqual({ errorResponseEntries: [{ field: 'body', value: '', message: 'a request body is required' }] });
    const short = await call(mock.url, notes, { method: 'POST', body: JSON.stringify({ text: '', category: 'care' }) });
    expect(JSON.parse(short.text)).toEqual({ errorResponseEntries: [{ field: 'text', value: '', message: 'must NOT have fewer than 1 characters' }] });
    const created = await call(mock.url, notes, { method: 'POST', body: JSON.stringify({ text: 'Slept well', category: 'care' }) });
    expect(created.status).toBe(201);
    expect(JSON.parse(created.text)).toMatchObject({ clientId: 42 });
    const record = await recordOf(path.join(dir, 'logs'), created.headers['x-request-id']);
    expect(record.request.body).toEqual({ text: 'Slept well', category: 'care' });
  });

  it('refuses a body larger than it reads with 413 and what to do, not as a failure of its own', async () => {
    const huge = JSON.stringify({ text: 'x'.repeat(17 * 1024 * 1024), category: 'care' });
    const refused = await call(mock.url, '/v0/administration/clients/42/notes', { method: 'POST', body: huge });
    expect(refused.status).toBe(413);
    expect((JSON.parse(refused.text) as { detail: string }).detail).toContain('larger than the 16 MiB that the mock and replay\'s fixtures read');
  });

  it('with --validate report answers anyway and records the findings', async () => {
    const logs = path.join(dir, 'report-logs');
    const reporting = await startMock(dir, ['--openapi', DEMO_DOCUMENT, '--validate', 'report'], { ONS_PROXY_LOG_DIR: logs });
    try {
      const answer = await call(reporting.url, '/v0/administration/clients/in_care_in_period?from_date=tomorrow');
      expect(answer.status).toBe(200);
      const record = await recordOf(logs, answer.headers['x-request-id']);
      expect(record.findings?.map((finding) => finding.where)).toEqual(['request.query.from_date', 'request.query.to_date']);
    } finally {
      await reporting.stop();
    }
  });

  it('follows Prefer code and dynamic as Prism does, and refuses a preference it does not know', async () => {
    const notFound = await call(mock.url, '/v0/administration/clients/42', { headers: { prefer: 'code=404' } });
    expect(notFound.status).toBe(404);
    expect(notFound.headers['x-ons-proxy-mock']).toBe('ClientAPI.byId');
    // The demo declares its 404 as an RFC 9457 problem (common.Problem): generated from that schema.
    expect(JSON.parse(notFound.text)).toMatchObject({ type: expect.any(String) as string, title: expect.any(String) as string, status: expect.any(Number) as number });
    const undeclared = await call(mock.url, '/v0/administration/clients/42', { headers: { prefer: 'code=418' } });
    expect(undeclared.status).toBe(400);
    expect(JSON.parse(undeclared.text)).toMatchObject({ code: 'mock_unknown_prefer', detail: expect.stringContaining('declares no 418 answer; it declares 200, 400, 404') as string });
    const unknown = await call(mock.url, '/v0/administration/clients/42', { headers: { prefer: 'return=minimal' } });
    expect(unknown.status).toBe(400);
    expect((JSON.parse(unknown.text) as { detail: string }).detail).toContain('code=<status>');
    const dynamic = await Promise.all([1, 2, 3].map(() => call(mock.url, '/v0/administration/clients?limit=1', { headers: { prefer: 'dynamic=true' } })));
    const names = new Set(dynamic.map((answer) => answer.text));
    expect(names.size).toBeGreaterThan(1);
  });
});

describe('ons-proxy mock on models it must compose', () => {
  it('fills allOf, oneOf, anyOf, nullable and formats, cuts circular references, and says which schema it cannot meet', async () => {
    const composing = await startMock(dir, ['--openapi', COMPOSITION_DOCUMENT], { ONS_PROXY_LOG_DIR: path.join(dir, 'composition-logs') });
    try {
      const api = loadDocumentFile(COMPOSITION_DOCUMENT);
      const validators = new SchemaValidators(api.document);
      const thing = await call(composing.url, '/v0/things/42');
      expect(thing.status).toBe(200);
      const value = JSON.parse(thing.text) as Record<string, unknown>;
      expect(validators.validate('#/components/schemas/t.Thing', value)).toEqual({ problems: [] });
      expect(value).toMatchObject({ id: 42, kind: { meow: true }, count: 5, born: expect.stringMatching(/T\d\d:\d\d:\d\d/) as string, uuid: expect.any(String) as string });

      const example = await call(composing.url, '/v0/things/42', { headers: { prefer: 'example=small' } });
      expect(JSON.parse(example.text)).toEqual({ id: 7 });
      const noExample = await call(composing.url, '/v0/things/42', { headers: { prefer: 'example=large' } });
      expect((JSON.parse(noExample.text) as { detail: string }).detail).toContain('has no example "large"; its examples: small');

      // The seed's ids (up to 999,999) and a second list item do not fit this model: it keeps the template's, with the path's id.
      const limited = await call(composing.url, '/v0/limited/42');
      expect(JSON.parse(limited.text)).toEqual({ id: 42, ownerId: 100, tags: ['string'] });

      const cleared = await call(composing.url, '/v0/things', { method: 'DELETE' });
      expect(cleared.status).toBe(204);
      expect(cleared.text).toBe('');

      const impossible = await call(composing.url, '/v0/things/impossible');
      expect(impossible.status).toBe(500);
      expect(JSON.parse(impossible.text)).toMatchObject({
        code: 'mock_cannot_generate',
        detail: expect.stringContaining('#/paths/~1v0~1things~1impossible/get/responses/200/content/application~1json/schema') as string,
      });
    } finally {
      await composing.stop();
    }
  });
});
