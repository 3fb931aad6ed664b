// `ons-proxy endpoints` and `ons-proxy migrate` over the records a real proxy wrote in front of
// the mock Ons API with a document in Ons's shape: operations per tag, the answer fields the
// integration received, the Technical Design draft by use case, and the checklist for moving off /t/.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import type { EndpointUsage } from '../../src/reports/endpoints.js';
import type { MigrationItem } from '../../src/reports/migration.js';
import { collectFieldPaths } from '../../src/reports/received-fields.js';
import { ONS_SHAPE_FIXTURE } from '../openapi/helpers.js';
import { runCli } from '../support/cli.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';

const SYNC = 'Synchroniseer cliënten';
const DOSSIER = 'Dossier lezen';
const CLIENT_FIELDS = ['active', 'address.city', 'birthDate', 'contact.email', 'contact.phone', 'gender', 'id', 'identificationNumber', 'name.family', 'name.given', 'name.initials', 'name.prefix'];

let upstream: Upstream;
let logDir: string;
/** Records of a proxy that had no document: the commands must name their operations. */
let plainLogDir: string;
let echoedHeaders: Record<string, unknown>;
/** A cache folder with nothing in it, so the default document is missing whatever this machine cached. */
let emptyCache: Record<string, string>;

async function call(proxy: RunningInstance, url: string, useCase?: string, init: { method?: string; body?: string; accept?: string } = {}): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
  // A header value is Latin-1: the label travels percent-encoded, as a tool would send "cliënten".
  if (useCase !== undefined) headers['x-ons-usecase'] = encodeURIComponent(useCase);
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await request(`${proxy.url}${url}`, { method: (init.method ?? 'GET') as 'GET', headers, body: init.body });
  return { status: response.statusCode, body: await response.body.text() };
}

beforeAll(async () => {
  upstream = await startUpstream({ removedPaths: 'not-found' });
  logDir = path.join(upstream.dir, 'logs');
  plainLogDir = path.join(upstream.dir, 'plain-logs');
  emptyCache = { XDG_CACHE_HOME: await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-empty-cache-')) };

  const proxy = await startProxy(upstream, { logDir, openapi: ONS_SHAPE_FIXTURE });
  expect((await call(proxy, '/v0/administration/clients?limit=2', SYNC)).status).toBe(200);
  expect((await call(proxy, '/v0/administration/clients/3', SYNC)).status).toBe(200);
  expect((await call(proxy, '/v0/administration/clients/1', DOSSIER)).status).toBe(200);
  expect((await call(proxy, '/v0/administration/clients/999', DOSSIER)).status).toBe(404);
  expect((await call(proxy, '/t/clients/4', DOSSIER)).status).toBe(404);
  expect((await call(proxy, '/t/clients/5', DOSSIER)).status).toBe(404);
  expect((await call(proxy, '/t/clients/searchresult?employee_id=101', SYNC)).status).toBe(404);
  expect((await call(proxy, '/v0/administration/clients/export', SYNC, { accept: 'application/x-ndjson' })).status).toBe(200);
  expect((await call(proxy, '/v0/administration/clients/1/notes', undefined, { method: 'POST', body: '{"text":"Called"}' })).status).toBe(201);
  const echo = await call(proxy, '/__mock/echo', 'Echo check');
  echoedHeaders = (JSON.parse(echo.body) as { headers: Record<string, unknown> }).headers;
  await proxy.close();

  // A later run with a log tag: its unlabelled calls belong to the tag's use case.
  const tagged = await startProxy(upstream, { logDir, openapi: ONS_SHAPE_FIXTURE, logTag: 'nightly' });
  expect((await call(tagged, '/v0/administration/employees/101')).status).toBe(200);
  await tagged.close();

  const plain = await startProxy(upstream, { logDir: plainLogDir, openapi: 'off' });
  expect((await call(plain, '/t/clients/searchresult?employee_id=101')).status).toBe(404);
  expect((await call(plain, '/v0/administration/clients/2')).status).toBe(200);
  await plain.close();
});
afterAll(async () => {
  await upstream?.close();
});

describe('the use case header', () => {
  it('never reaches the upstream, and the record keeps it for the reports', async () => {
    expect(echoedHeaders).not.toHaveProperty('x-ons-usecase');
    expect(echoedHeaders).toHaveProperty('accept');
    const result = await runCli(['endpoints', '--log-dir', logDir, '--openapi', ONS_SHAPE_FIXTURE, '--json'], { cwd: upstream.dir });
    const { endpoints } = JSON.parse(result.stdout) as { endpoints: EndpointUsage[] };
    expect(endpoints.find((endpoint) => endpoint.path === '/__mock/echo')?.useCases).toEqual({ 'Echo check': 1 });
  });
});

describe('ons-proxy endpoints', () => {
  it('groups by tag and operation, with calls, statuses, first and last seen, and the fields each answer model gave', async () => {
    const result = await runCli(['endpoints', '--log-dir', logDir, '--openapi', ONS_SHAPE_FIXTURE, '--json'], { cwd: upstream.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { document: string; calls: number; endpoints: EndpointUsage[] };
    expect(report.document).toBe(ONS_SHAPE_FIXTURE);
    expect(report.calls).toBe(11);
    expect(report.endpoints.map((endpoint) => `${endpoint.operation?.tag ?? '-'} ${endpoint.operation?.id ?? '-'} ${endpoint.method} ${endpoint.path} ${endpoint.calls}`)).toEqual([
      'Client ClientAPI.byId GET /t/clients/{id} 2',
      'Client ClientAPI.find GET /t/clients/searchresult 1',
      'Client ClientAPI.list GET /v0/administration/clients 1',
      'Client ClientAPI.byId GET /v0/administration/clients/{id} 3',
      'Client ClientAPI.export GET /v0/administration/clients/export 1',
      'ClientNote ClientNoteAPI.create POST /v0/administration/clients/{client_id}/notes 1',
      'Employee EmployeeAPI.byId GET /v0/administration/employees/{employee_id} 1',
      '- - GET /__mock/echo 1',
    ]);
    const byId = report.endpoints.find((endpoint) => endpoint.path === '/v0/administration/clients/{id}');
    expect(byId).toMatchObject({ statuses: { 200: 2, 404: 1 }, operation: { summary: 'Find a client by their primary key' }, useCases: { [SYNC]: 1, [DOSSIER]: 2 } });
    expect((byId?.firstSeen ?? '') < (byId?.lastSeen ?? '')).toBe(true);
    // The 404's problem body is not a model the integration selects fields of.
    expect(byId?.answers).toEqual([{ model: 'administration.Client', fields: CLIENT_FIELDS }]);
    // A list answer is the list of its element model, merged over the elements; an NDJSON stream line by line.
    expect(report.endpoints.find((endpoint) => endpoint.path === '/v0/administration/clients')?.answers).toEqual([{ model: 'administration.Client', fields: CLIENT_FIELDS }]);
    expect(report.endpoints.find((endpoint) => endpoint.path === '/v0/administration/clients/export')?.answers[0]?.fields).toEqual(CLIENT_FIELDS);
    expect(report.endpoints.find((endpoint) => endpoint.path === '/t/clients/{id}')?.operation).toMatchObject({ deprecated: true, replacedBy: '/v0/administration/clients/{id}' });
  });

  it('prints each tag with its operations, their fields, and the paths no operation names', async () => {
    const result = await runCli(['endpoints', '--log-dir', logDir, '--openapi', ONS_SHAPE_FIXTURE], { cwd: upstream.dir });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`8 endpoints, 11 calls in ${logDir}:`);
    expect(lines[1]).toBe(`API document: ${ONS_SHAPE_FIXTURE} (11 operations).`);
    expect(lines).toContain('Client (5 operations, 8 calls)');
    expect(lines).toContain('  GET /v0/administration/clients/{id}  ClientAPI.byId: Find a client by their primary key');
    expect(lines).toContain(`    administration.Client: ${CLIENT_FIELDS.join(', ')}`);
    expect(lines).toContain('    removed on 2026-05-19 (deprecated since 2025-11-19), replaced by GET /v0/administration/clients/{id} (see ons-proxy migrate)');
    expect(lines.find((line) => line.startsWith('    3 calls: 200×2, 404×1; first '))).toMatch(/; first \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, last \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const unnamedAt = lines.indexOf('Not an operation of the API document:');
    expect(unnamedAt).toBeGreaterThan(lines.indexOf('Employee (1 operation, 1 call)'));
    expect(lines[unnamedAt + 2]?.replace(/\s+/g, ' ')).toBe('GET /__mock/echo 1 200×1');
  });

  it('names the operations of records written without a document once one is loaded', async () => {
    const result = await runCli(['endpoints', '--log-dir', plainLogDir, '--openapi', ONS_SHAPE_FIXTURE, '--json'], { cwd: upstream.dir });
    const { endpoints } = JSON.parse(result.stdout) as { endpoints: EndpointUsage[] };
    expect(endpoints.map((endpoint) => `${endpoint.operation?.id} ${endpoint.path}`)).toEqual(['ClientAPI.find /t/clients/searchresult', 'ClientAPI.byId /v0/administration/clients/{id}']);
    expect(endpoints[1]?.answers).toEqual([{ model: 'administration.Client', fields: CLIENT_FIELDS }]);
  });

  it('says when no document is available, and keeps the path grouping for records that name no operation', async () => {
    const off = await runCli(['endpoints', '--log-dir', plainLogDir, '--openapi', 'off'], { cwd: upstream.dir });
    expect(off.code).toBe(0);
    const lines = off.stdout.split('\n');
    expect(lines[1]).toBe('No API document (ONS_PROXY_OPENAPI=off): operations are named only where the records name them.');
    expect(lines.slice(2).filter(Boolean).map((line) => line.replace(/\s+/g, ' '))).toEqual(['METHOD PATH CALLS STATUSES', 'GET /t/clients/searchresult 1 404×1', 'GET /v0/administration/clients/{id} 1 200×1']);

    const uncached = await runCli(['endpoints', '--log-dir', plainLogDir, '--json'], { cwd: upstream.dir, env: emptyCache });
    expect(uncached.stderr).toBe('');
    const report = JSON.parse(uncached.stdout) as { document: null; documentNote: string; endpoints: EndpointUsage[] };
    expect(report.document).toBeNull();
    expect(report.documentNote).toMatch(/^No API document: No copy of https:\/\/\S+ is cached yet: run "ons-proxy openapi update" once .*; until then operations are named only where the records name them\.$/);
    expect(report.endpoints[1]?.answers).toEqual([{ status: 200, fields: CLIENT_FIELDS }]);
  });

  it('names a broken document in one line and reports without it', async () => {
    const missing = path.join(upstream.dir, 'no-such-openapi.json');
    const result = await runCli(['endpoints', '--log-dir', plainLogDir, '--openapi', missing], { cwd: upstream.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[1]).toBe(`No API document: OpenAPI document ${missing} is not used: the file does not exist; until then operations are named only where the records name them.`);
  });

  it('refuses an unknown --format in one line', async () => {
    const result = await runCli(['endpoints', '--log-dir', logDir, '--format', 'pdf'], { cwd: upstream.dir, env: emptyCache });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ons-proxy: --format "pdf" is not a format: use text or markdown (or --json).\n');
  });
});

describe('ons-proxy endpoints --format markdown', () => {
  let markdown: string;
  beforeAll(async () => {
    const result = await runCli(['endpoints', '--log-dir', logDir, '--openapi', ONS_SHAPE_FIXTURE, '--format', 'markdown'], { cwd: upstream.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    markdown = result.stdout;
  });

  it('drafts use cases from the x-ons-usecase header and the log tag, the unlabelled calls last', () => {
    const headings = markdown.split('\n').filter((line) => /^#{1,2} /.test(line));
    expect(headings).toEqual(['# Technical Design (draft)', `## ${DOSSIER}`, '## Echo check', '## nightly', `## ${SYNC}`, '## Calls without a use case']);
    expect(markdown).toContain(`Drawn from 11 calls recorded in ${logDir}. API document: ${ONS_SHAPE_FIXTURE} (11 operations).`);
  });

  it('lists each use case with its endpoints, and per endpoint the fields used', () => {
    const sync = section(markdown, `## ${SYNC}`);
    expect(tableRows(sync)).toEqual([
      '| GET | `/t/clients/searchresult` | ClientAPI.find: Search clients | 1 |',
      '| GET | `/v0/administration/clients` | ClientAPI.list: All clients | 1 |',
      '| GET | `/v0/administration/clients/{id}` | ClientAPI.byId: Find a client by their primary key | 1 |',
      '| GET | `/v0/administration/clients/export` | ClientAPI.export: Every client as a stream | 1 |',
    ]);
    const byId = section(sync, '### GET /v0/administration/clients/{id}');
    expect(byId).toContain('ClientAPI.byId: Find a client by their primary key (tag Client)');
    expect(byId).toContain('Reason: _why this use case needs it_');
    expect(byId).toContain(['Fields used of `administration.Client`:', '', ...CLIENT_FIELDS.map((field) => `- \`${field}\``)].join('\n'));
    // A removed path is flagged, never drafted as something to request.
    expect(section(sync, '### GET /t/clients/searchresult')).toMatch(/\*\*Do not request this endpoint\*\*: it was removed on 2026-05-19 \(deprecated since 2025-11-19\), replaced by GET \/v0\/administration\/clients\/find\. `ons-proxy migrate` lists what changes\./);
    const nightly = section(markdown, '## nightly');
    expect(tableRows(nightly)).toEqual(['| GET | `/v0/administration/employees/{employee_id}` | EmployeeAPI.byId: Find an employee | 1 |']);
    expect(nightly).toContain('Fields used of the 200 answer (the API document names no model for it):\n\n- `active`\n- `email`');
    const unlabelled = section(markdown, '## Calls without a use case');
    expect(unlabelled).toContain('carried no `x-ons-usecase` header');
    expect(section(unlabelled, '### POST /v0/administration/clients/{client_id}/notes')).toContain('Fields used of `dossier.Note`:');
  });
});

describe('ons-proxy migrate', () => {
  it('lists every removed or deprecated operation called, with its replacement, parameter changes and calls', async () => {
    const result = await runCli(['migrate', '--log-dir', logDir, '--openapi', ONS_SHAPE_FIXTURE], { cwd: upstream.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`2 removed or deprecated operations to move off, 3 of 11 recorded calls in ${logDir} (Ons removed its /t/ paths on 2026-05-19):`);
    expect(lines[1]).toBe(`API document: ${ONS_SHAPE_FIXTURE} (11 operations).`);
    expect(lines.slice(3).map((line) => line.replace(/last \S+Z$/, 'last <time>'))).toEqual([
      '- [ ] GET /t/clients/{id} (ClientAPI.byId): 2 calls, last <time>',
      '      removed on 2026-05-19, deprecated since 2025-11-19',
      '      use GET /v0/administration/clients/{id} ClientAPI.byId: Find a client by their primary key',
      '',
      '- [ ] GET /t/clients/searchresult (ClientAPI.find): 1 call, last <time>',
      '      removed on 2026-05-19, deprecated since 2025-11-19',
      '      use GET /v0/administration/clients/find ClientAPI.find: Search clients',
      '      parameter changes: employee: renamed from employee_id; includewaiting: renamed from include_waiting; includeoutofcare: renamed from include_outofcare',
      '',
    ]);
  });

  it('prints JSON with --json, and re-derives from the document what records written without one lack', async () => {
    const result = await runCli(['migrate', '--log-dir', plainLogDir, '--openapi', ONS_SHAPE_FIXTURE, '--json'], { cwd: upstream.dir });
    const report = JSON.parse(result.stdout) as { calls: number; operations: MigrationItem[] };
    expect(report.calls).toBe(1);
    expect(report.operations).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/t/clients/searchresult',
        operationId: 'ClientAPI.find',
        state: 'removed',
        removedOn: '2026-05-19',
        replacement: expect.objectContaining({ method: 'GET', path: '/v0/administration/clients/find', id: 'ClientAPI.find' }),
        parameterChanges: ['employee: renamed from employee_id', 'includewaiting: renamed from include_waiting', 'includeoutofcare: renamed from include_outofcare'],
        calls: 1,
        statuses: { 404: 1 },
      }),
    ]);
  });

  it('without a document still lists the removed /t/ calls, and says what the document would add', async () => {
    const result = await runCli(['migrate', '--log-dir', plainLogDir], { cwd: upstream.dir, env: emptyCache });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[1]).toMatch(/^No API document: No copy of \S+ is cached yet/);
    expect(lines.slice(3).map((line) => line.replace(/last \S+Z$/, 'last <time>'))).toEqual([
      '- [ ] GET /t/clients/searchresult: 1 call, last <time>',
      '      removed on 2026-05-19',
      '      replacement unknown',
      '      parameter changes: employee: renamed from employee_id; includewaiting: renamed from include_waiting; includeoutofcare: renamed from include_outofcare',
      '',
    ]);
  });

  it('says so when nothing needs to move', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-no-records-'));
    const result = await runCli(['migrate', '--log-dir', empty, '--openapi', 'off'], { cwd: upstream.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`No removed or deprecated operations among 0 recorded calls in ${empty}.\nNo API document (ONS_PROXY_OPENAPI=off): operations are named only where the records name them.\n`);
  });
});

describe('field paths of an answer', () => {
  it('names nested fields by path and merges the objects of arrays', () => {
    const fields = new Set<string>();
    collectFieldPaths([{ id: 1, address: { city: 'Groningen' }, tags: ['a'] }, { id: 2, bsn: null, contacts: [{ phone: '1' }, { email: 'x' }], extra: {} }], fields);
    expect([...fields].sort()).toEqual(['address.city', 'bsn', 'contacts.email', 'contacts.phone', 'extra', 'id', 'tags']);
  });
});

/** From a heading to the next heading of the same or a higher level. */
function section(text: string, heading: string): string {
  const level = /^#+/.exec(heading)?.[0].length ?? 1;
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no section "${heading}" in:\n${text}`);
  const end = lines.findIndex((line, at) => at > start && new RegExp(`^#{1,${level}} `).test(line));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

function tableRows(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Method'));
}
