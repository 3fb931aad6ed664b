// `fixtures save --operation` selects what `logs --operation` selects (the record's operation
// object, one type), fixture files are named by operation, and a filter that selects nothing
// exits 1 naming the nearest operations the records hold.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { runCli } from '../support/cli.js';
import { fixtureRecord, writeRecords } from '../support/records-fixture.js';
import { readIndexFile } from './helpers.js';

function withOperation(record: TrafficRecord, id: string, pathTemplate: string): TrafficRecord {
  return { ...record, operation: { id, path: pathTemplate, summary: `Summary of ${id}`, tag: id.split('.')[0] } };
}

let dir: string;
let logDir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-operation-selection-'));
  logDir = path.join(dir, 'logs');
  await writeRecords(logDir, [
    withOperation(fixtureRecord({ url: '/v0/administration/clients/1' }), 'ClientAPI.byId', '/v0/administration/clients/{id}'),
    withOperation(fixtureRecord({ url: '/v0/administration/clients/2' }), 'ClientAPI.byId', '/v0/administration/clients/{id}'),
    withOperation(fixtureRecord({ url: '/v0/administration/clients/3' }), 'ClientAPI.byId', '/v0/administration/clients/{id}'),
    withOperation(fixtureRecord({ url: '/v0/administration/employees/1' }), 'EmployeeAPI.byId', '/v0/administration/employees/{id}'),
    fixtureRecord({ url: '/t/unknown' }),
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--operation, one selection for logs and fixtures save', () => {
  it('saves the records logs lists, in files named by the operation', async () => {
    const logs = await runCli(['logs', '--log-dir', logDir, '--operation', 'ClientAPI.byId', '--json'], { cwd: dir });
    expect(logs.code).toBe(0);
    const listed = logs.stdout.trim().split('\n').map((line) => (JSON.parse(line) as TrafficRecord).id);
    expect(listed).toHaveLength(3);

    const out = path.join(dir, 'client-fixtures');
    const save = await runCli(['fixtures', 'save', '--out', out, '--log-dir', logDir, '--operation', 'ClientAPI.byId'], { cwd: dir });
    expect(save.code).toBe(0);
    expect(save.stdout).toContain('Wrote 3 new fixtures');
    const index = await readIndexFile(out);
    expect(index.map((entry) => entry.source).sort()).toEqual([...listed].sort());
    for (const entry of index) expect(entry.file).toMatch(/^get-ClientAPI\.byId(-\d+)?\.json$/);
  });

  it('takes a comma list in both commands', async () => {
    const logs = await runCli(['logs', '--log-dir', logDir, '--operation', 'clientapi.byid,EmployeeAPI.byId', '--json'], { cwd: dir });
    expect(logs.stdout.trim().split('\n')).toHaveLength(4);
    const out = path.join(dir, 'both');
    const save = await runCli(['fixtures', 'save', '--out', out, '--log-dir', logDir, '--operation', 'clientapi.byid,EmployeeAPI.byId'], { cwd: dir });
    expect(save.stdout).toContain('Wrote 4 new fixtures');
  });

  it('exits 1 naming the nearest recorded operations when nothing matches', async () => {
    const out = path.join(dir, 'none');
    for (const args of [
      ['fixtures', 'save', '--out', out, '--log-dir', logDir, '--operation', 'ClientAPI.byld'],
      ['logs', '--log-dir', logDir, '--operation', 'ClientAPI.byld'],
    ]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/--operation "ClientAPI\.byld" selects nothing\. Nearest operations recorded: ClientAPI\.byId, EmployeeAPI\.byId\./);
    }
  });
});
