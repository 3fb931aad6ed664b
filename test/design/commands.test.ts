// `ons-proxy design draft | show | check` and `start --design` with a bad file, as a user runs
// them: records from real exchanges through the proxy, the built command line, exit statuses.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TechnicalDesign } from '../../src/design/index.js';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { runCli } from '../support/cli.js';
import { startProxy, upstreamEnv, type Upstream } from '../support/harness.js';
import { OPENAPI_FIXTURE, startOnsShapedUpstream, type OnsShapedUpstream } from './ons-shaped-upstream.js';

let upstream: OnsShapedUpstream;
let logDir: string;
let designPath: string;

async function callThroughProxy(calls: ReadonlyArray<readonly [string, string | undefined]>): Promise<void> {
  const proxy: RunningInstance = await startProxy(upstream as Upstream, { openapi: OPENAPI_FIXTURE, logDir });
  try {
    for (const [target, useCase] of calls) {
      const response = await fetch(`${proxy.url}${target}`, { headers: { accept: target.includes('export') ? 'application/x-ndjson' : 'application/json', ...(useCase ? { 'x-ons-usecase': useCase } : {}) } });
      await response.arrayBuffer();
    }
  } finally {
    // Closing flushes the records to the traffic file.
    await proxy.close();
  }
}

function design(args: readonly string[]): ReturnType<typeof runCli> {
  return runCli(['design', ...args, '--log-dir', logDir, '--openapi', OPENAPI_FIXTURE], { cwd: upstream.dir });
}

async function readDesign(): Promise<TechnicalDesign> {
  return JSON.parse(await readFile(designPath, 'utf8')) as TechnicalDesign;
}

beforeAll(async () => {
  upstream = await startOnsShapedUpstream();
  logDir = path.join(upstream.dir, 'logs');
  designPath = path.join(upstream.dir, 'technical-design.json');
  await callThroughProxy([
    ['/v0/administration/clients?bytes=1500', 'hr-sync'],
    ['/v0/administration/clients/3', 'hr-sync'],
    ['/v0/administration/clients/export', 'nightly'],
    ['/v0/administration/employees', undefined],
  ]);
});

afterAll(async () => {
  await upstream?.close();
});

describe('ons-proxy design draft, show and check', () => {
  it('drafts use cases, endpoints and the fields received per model', async () => {
    const result = await design(['draft', '--out', designPath]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Wrote ${designPath}: 3 use cases, 4 endpoints, 2 models.`);
    const drafted = await readDesign();
    expect(drafted.useCases.map((useCase) => [useCase.title, useCase.endpoints.map((endpoint) => endpoint.operation)])).toEqual([
      ['hr-sync', ['GET /v0/administration/clients', 'GET /v0/administration/clients/{id}']],
      ['nightly', ['GET /v0/administration/clients/export']],
      ['Calls without a use case', ['GET /v0/administration/employees']],
    ]);
    expect(drafted.models?.['administration.Client']).toEqual(expect.arrayContaining(['id', 'bsn', 'address.city', 'address.geo.lat', 'contacts.type']));
    expect(drafted.models?.['administration.Employee']).toEqual(['firstName', 'id', 'lastName']);
  });

  it('check passes a design that covers exactly what was called and received', async () => {
    const result = await design(['check', designPath]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Nothing would break on staging under /);
    expect(result.code).toBe(0);
  });

  it('keeps the user\'s edits when drafting again, and adds only what is new', async () => {
    const edited = await readDesign();
    const sync = edited.useCases[0];
    if (!sync) throw new Error('no use case drafted');
    sync.title = 'Synchroniseer cliënten';
    sync.description = 'Haalt gewijzigde cliënten op.';
    const [first] = sync.endpoints;
    if (first) first.reason = 'the changed clients';
    // The employees endpoint goes (its whole use case), and so does bsn.
    edited.useCases = edited.useCases.filter((useCase) => useCase.title !== 'Calls without a use case');
    edited.models = { ...edited.models, 'administration.Client': (edited.models?.['administration.Client'] ?? []).filter((field) => field !== 'bsn') };
    await writeFile(designPath, JSON.stringify(edited, null, 2));

    await callThroughProxy([['/v0/administration/clients/find', 'hr-sync']]);
    const result = await design(['draft', '--out', designPath]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Added 1 endpoint, 0 use cases and 0 fields');
    const again = await readDesign();
    expect(again.useCases.map((useCase) => useCase.title)).toEqual(['Synchroniseer cliënten', 'nightly']);
    expect(again.useCases[0]?.description).toBe('Haalt gewijzigde cliënten op.');
    expect(again.useCases[0]?.endpoints).toEqual([
      { operation: 'GET /v0/administration/clients', reason: 'the changed clients' },
      { operation: 'GET /v0/administration/clients/{id}', reason: '' },
      { operation: 'GET /v0/administration/clients/find', reason: '' },
    ]);
    expect(again.models?.['administration.Client']).not.toContain('bsn');
  });

  it('shows the design as Markdown for the Dashboard', async () => {
    const result = await design(['show', designPath, '--format', 'markdown']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('## Synchroniseer cliënten\n\nDescription: Haalt gewijzigde cliënten op.');
    expect(result.stdout).toContain('| GET | `/v0/administration/clients/{id}` | ClientAPI.byId: Find a client |');
    expect(result.stdout).toContain('Reason: the changed clients');
    expect(result.stdout).toContain('Fields selected of `administration.Client`:\n\n- `active`\n- `address.city`');
    expect(result.stdout).not.toContain('`bsn`');
  });

  it('check exits 1 and names what would break on staging', async () => {
    const result = await design(['check', designPath]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('GET /v0/administration/employees (EmployeeAPI.list): 1 call, no use case label');
    expect(result.stdout).toMatch(/administration\.Client: bsn \(in answers of /);
    expect(result.stdout).toContain('GET /v0/administration/clients/find (ClientAPI.find) is deprecated since 2026-03-01');
    const json = await design(['check', designPath, '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; missingOperations: Array<{ operation: string }>; droppedFields: Array<{ model: string; fields: string[] }> };
    expect(report.ok).toBe(false);
    expect(report.missingOperations.map((missing) => missing.operation)).toEqual(['GET /v0/administration/employees']);
    expect(report.droppedFields).toEqual([expect.objectContaining({ model: 'administration.Client', fields: ['bsn'] })]);
  });
});

describe('a design file that cannot be used', () => {
  async function start(file: string, text: string): Promise<Awaited<ReturnType<typeof runCli>>> {
    const written = path.join(upstream.dir, file);
    await writeFile(written, text);
    return runCli(['start', '--design', written, '--openapi', OPENAPI_FIXTURE, '--port', '0'], { cwd: upstream.dir, env: upstreamEnv(upstream as Upstream, logDir) });
  }

  it('names the line of a mistyped operation and the nearest the document has; start exits 2', async () => {
    const text = JSON.stringify({ useCases: [{ title: 'Sync', endpoints: [{ operation: 'GET /v0/administration/clients' }, { operation: 'GET /v0/administration/client/{id}' }] }] }, null, 2);
    const result = await start('typo.json', text);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ons-proxy: Technical Design .*typo\.json, line 10 \(useCases\[0\]\.endpoints\[1\]\.operation\): the API document .* has no operation "GET \/v0\/administration\/client\/\{id\}"; nearest: "GET \/v0\/administration\/clients\/\{id\}"/);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a mistyped field with its nearest name, in YAML too', async () => {
    const yaml = ['useCases:', '  - title: Sync', '    endpoints:', '      - operation: ClientAPI.byId', 'models:', '  administration.Client:', '    - id', '    - adress.city', ''].join('\n');
    const result = await start('typo.yaml', yaml);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('typo.yaml, line 8 (models["administration.Client"][1]): administration.Client has no field "adress.city": the model has no field "adress"; nearest: "address"');
  });

  it('refuses an operation listed twice in one use case, a file that is not JSON, and a design without use cases', async () => {
    const twice = await start('twice.json', JSON.stringify({ useCases: [{ title: 'Sync', endpoints: [{ operation: 'GET /v0/administration/clients/{id}' }, { operation: 'ClientAPI.byId' }] }] }));
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('GET /v0/administration/clients/{id} is listed twice in the use case "Sync"');
    const broken = await start('broken.json', '{\n  "useCases": [\n    { "title": "Sync", }\n  ]\n}\n');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json, line 3: it is not valid JSON/);
    const empty = await start('empty.json', '{ "useCases": [] }');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('there are no use cases');
  });
});

describe('a draft from calls the API document does not know as called', () => {
  it('drafts a removed /t/ path as its /v0/ replacement, and leaves out a path the document lacks, saying so', async () => {
    const ownLogs = path.join(upstream.dir, 'logs-removed-and-unknown');
    const ownDesign = path.join(upstream.dir, 'technical-design-removed.json');
    const proxy: RunningInstance = await startProxy(upstream as Upstream, { openapi: OPENAPI_FIXTURE, logDir: ownLogs });
    try {
      for (const target of ['/t/clients/3', '/v0/administration/nothing-here', '/v0/administration/nothing-here']) await (await fetch(`${proxy.url}${target}`)).arrayBuffer();
    } finally {
      await proxy.close();
    }
    const result = await runCli(['design', 'draft', '--out', ownDesign, '--log-dir', ownLogs, '--openapi', OPENAPI_FIXTURE], { cwd: upstream.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Left out 1 path the API document has no operation for: GET /v0/administration/nothing-here (2x)');
    const drafted = JSON.parse(await readFile(ownDesign, 'utf8')) as TechnicalDesign;
    expect(drafted.useCases.flatMap((useCase) => useCase.endpoints.map((endpoint) => endpoint.operation))).toEqual(['GET /v0/administration/clients/{id}']);
    // What the draft wrote is a design the proxy accepts: check names no unknown entry in it.
    const check = await runCli(['design', 'check', ownDesign, '--log-dir', ownLogs, '--openapi', OPENAPI_FIXTURE, '--json'], { cwd: upstream.dir });
    expect((JSON.parse(check.stdout) as { unknownEntries: unknown[] }).unknownEntries).toEqual([]);
  });
});
