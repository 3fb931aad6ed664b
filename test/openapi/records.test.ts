// The API document at work through a real proxy in front of the mock Ons API: every record
// names its operation, removed and deprecated calls get their hint, and the advisory checks
// find what does not fit the operation, on the recorded copy only.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS } from '../../src/demo/index.js';
import { startUpstream, type Upstream } from '../support/harness.js';
import { exchange, ONS_SHAPE_FIXTURE, proxyWithDocument, type ProxyWithConsole } from './helpers.js';

let upstream: Upstream;
let development: ProxyWithConsole;

beforeAll(async () => {
  upstream = await startUpstream({ removedPaths: 'not-found' });
  development = await proxyWithDocument(upstream, { openapi: ONS_SHAPE_FIXTURE, findingsHeader: true });
});
afterAll(async () => {
  await development?.proxy.close();
  await upstream?.close();
});

describe('every record names its operation', () => {
  it('matches the path template, literal segments before parameters', async () => {
    const byId = await exchange(development.proxy, '/v0/administration/clients/3');
    expect(byId.status).toBe(200);
    expect(byId.record.operation).toEqual({ id: 'ClientAPI.byId', summary: 'Find a client by their primary key', tag: 'Client', path: '/v0/administration/clients/{id}' });
    const byBsn = await exchange(development.proxy, '/v0/administration/clients/by_bsn?bsn=1');
    expect(byBsn.record.operation?.id).toBe('ClientAPI.byBsn');
    const lastVisited = await exchange(development.proxy, '/v0/administration/clients/101/last_visited_clients');
    expect(lastVisited.record.operation?.path).toBe('/v0/administration/clients/{employee_id}/last_visited_clients');
  });

  it('shows the operation id and the findings count on the console line', async () => {
    const { record } = await exchange(development.proxy, '/v0/administration/clients/abc');
    const line = development.lines().find((entry) => entry.id === record.id);
    expect(line).toMatchObject({ operation: 'ClientAPI.byId', findings: 1 });
    expect(String(line?.msg)).toMatch(/ClientAPI\.byId 1 finding$/);
  });
});

describe('removed and deprecated calls', () => {
  it('names the /v0/ replacement of a removed /t/ path, with Ons parameter changes, and warns once per run', async () => {
    const first = await exchange(development.proxy, '/t/clients/searchresult?employee_id=101');
    expect(first.status).toBe(404);
    expect(first.record.hint).toContain('GET /t/clients/searchresult was removed (Ons removed its /t/ paths on 2026-05-19): use GET /v0/administration/clients/find ClientAPI.find');
    expect(first.record.hint).toContain('employee: renamed from employee_id');
    expect(first.record.operation).toMatchObject({ id: 'ClientAPI.find', path: '/t/clients/searchresult', deprecated: true, replacedBy: '/v0/administration/clients/find' });
    await exchange(development.proxy, '/t/clients/searchresult');
    const warnings = development.lines().filter((entry) => entry.level === 40 && String(entry.msg).includes('/t/clients/searchresult was removed'));
    expect(warnings).toHaveLength(1);
  });

  it('explains a deprecated operation of the older document: since when and what replaced it', async () => {
    // The older document still lists /t/clients/{id}, deprecated, with x-replaced-by.
    const { record } = await exchange(development.proxy, '/t/clients/4');
    expect(record.operation).toEqual({
      id: 'ClientAPI.byId',
      summary: 'Find a client by their primary key',
      tag: 'Client',
      path: '/t/clients/{id}',
      deprecated: true,
      deprecatedSince: '2025-11-19',
      replacedBy: '/v0/administration/clients/{id}',
    });
    expect(record.hint).toContain('is deprecated since 2025-11-19: use GET /v0/administration/clients/{id} ClientAPI.byId');
  });

  it('names the nearest operations when none matches, and the methods of a known path', async () => {
    const miss = await exchange(development.proxy, '/v0/administration/client/3');
    expect(miss.record.operation).toBeUndefined();
    expect(miss.record.hint).toMatch(/^No operation of the API document matches GET \/v0\/administration\/client\/3\. Nearest: GET \/v0\/administration\/clients\/\{id\} ClientAPI\.byId: Find a client by their primary key/);
    const method = await exchange(development.proxy, '/v0/administration/clients/3', { method: 'DELETE' });
    expect(method.record.hint).toBe('/v0/administration/clients/{id} has no DELETE operation; it has GET.');
  });
});

describe('advisory checks', () => {
  it('finds a missing required query parameter, a value that is not a date, an unknown query name', async () => {
    const { record, headers } = await exchange(development.proxy, '/v0/administration/clients/in_care_in_period?to_date=31-12-2026&valid_form=1');
    expect(record.findings).toEqual([
      { where: 'request.query.from_date', message: 'required query parameter is missing (string, date)' },
      { where: 'request.query.to_date', message: '"31-12-2026" must match format "date" (date)' },
      { where: 'request.query.valid_form', message: 'not a query parameter of ClientAPI.inCareInPeriod; it takes from_date, to_date' },
    ]);
    // Known before the answer went out: the request line's findings.
    expect(headers['x-ons-proxy-findings']).toBe('3');
  });

  it('types path parameters and [] query names', async () => {
    const path = await exchange(development.proxy, '/v0/administration/clients/abc');
    expect(path.record.findings).toEqual([{ where: 'request.path.id', message: '"abc" must be integer (int64)' }]);
    const requestFindings = (found: Awaited<ReturnType<typeof exchange>>) => found.record.findings?.filter((finding) => finding.where.startsWith('request.'));
    const list = await exchange(development.proxy, '/v0/administration/clients/multiple?ids[]=1&ids[]=two');
    expect(requestFindings(list)).toEqual([{ where: 'request.query.ids[]', message: '"two" must be integer (int64)' }]);
    const fine = await exchange(development.proxy, '/v0/administration/clients/multiple?ids[]=1&ids[]=2');
    expect(requestFindings(fine)).toEqual([]);
    expect(fine.headers['x-ons-proxy-findings']).toBe('0');
  });

  it('checks a JSON request body against its schema, and a required body that is missing', async () => {
    const headers = { 'content-type': 'application/json' };
    const invalid = await exchange(development.proxy, '/v0/administration/clients/1/notes', { method: 'POST', headers, body: JSON.stringify({ category: 'x' }) });
    expect(invalid.status).toBe(422);
    expect(invalid.record.findings).toEqual([
      { where: 'request.body.text', message: 'required field is missing' },
      { where: 'request.body.category', message: 'must be one of "general", "care", "medical"' },
    ]);
    const missing = await exchange(development.proxy, '/v0/administration/clients/1/notes', { method: 'POST', headers });
    expect(missing.record.findings).toEqual([{ where: 'request.body', message: 'ClientNoteAPI.create requires a JSON body; none was sent' }]);
  });

  it('finds a wrong-typed answer field and fields the model does not have, in JSON and x-ndjson answers', async () => {
    const { record } = await exchange(development.proxy, '/v0/administration/clients/2');
    expect(record.findings).toEqual([
      { where: 'response.body.active', message: 'must be string' },
      { where: 'response.body.contact', message: 'not in the model administration.Client (the document and the API differ)' },
    ]);
    const stream = await exchange(development.proxy, '/v0/administration/clients/export', { headers: { accept: 'application/x-ndjson' } });
    expect(stream.record.findings).toContainEqual({ where: 'response.body line 1.active', message: 'must be string' });
    expect(stream.record.findings?.length).toBeLessThanOrEqual(11);
  });

  it('never changes a byte of the answer', async () => {
    const direct = await exchange(development.proxy, '/v0/administration/clients/5');
    expect(direct.record.response.body).toMatchObject({ id: 5, identificationNumber: CLIENTS[4]?.identificationNo, active: true });
  });
});

describe('what is not checked, and where checks differ', () => {
  it('says so when a body was cut at the record limit', async () => {
    const small = await proxyWithDocument(upstream, { openapi: ONS_SHAPE_FIXTURE, logBodyLimit: 64 });
    try {
      const { record } = await exchange(small.proxy, '/v0/administration/clients?limit=20');
      expect(record.response.bodyTruncated).toBe(true);
      expect(record.findings).toBeUndefined();
      expect(record.notChecked).toEqual([{ where: 'response.body', message: expect.stringMatching(/^not checked: the record keeps only the first part of the body/) }]);
    } finally {
      await small.proxy.close();
    }
  });

  it('notes model fields absent from an answer on staging (a Technical Design filters them)', async () => {
    const staging = await proxyWithDocument(upstream, { openapi: ONS_SHAPE_FIXTURE, environment: 'staging', force: true });
    try {
      const { record } = await exchange(staging.proxy, '/v0/administration/clients?limit=3');
      expect(record.findings).toContainEqual({ where: 'response.body', message: '1 of 8 fields of the model administration.Client are absent (bsn): they may be filtered by your Technical Design' });
    } finally {
      await staging.proxy.close();
    }
  });

  it('adds no header unless ONS_PROXY_FINDINGS_HEADER is on', async () => {
    const plain = await proxyWithDocument(upstream, { openapi: ONS_SHAPE_FIXTURE });
    try {
      const response = await request(`${plain.proxy.url}/v0/administration/clients/abc`, { headers: { accept: 'application/json' } });
      await response.body.dump();
      expect(response.headers['x-ons-proxy-findings']).toBeUndefined();
    } finally {
      await plain.proxy.close();
    }
  });
});
