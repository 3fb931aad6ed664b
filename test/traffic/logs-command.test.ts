// `ons-proxy logs` and `ons-proxy har`, run as a user runs them, over a log folder with
// two days of records.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { CLI, runCli } from '../support/cli.js';
import { validateHar } from '../support/har-schema.js';
import { fixtureRecord, writeRecords } from '../support/records-fixture.js';

let dir: string;
let logDir: string;
let records: Record<string, TrafficRecord>;

async function logs(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(['logs', '--log-dir', logDir, ...args], { cwd: dir });
}

/** The ids in a table or JSON-lines output, in order. */
function idsIn(output: string): string[] {
  return [...output.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)].map((match) => match[0]);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-logs-'));
  logDir = path.join(dir, 'logs');
  records = {
    lastWeek: fixtureRecord({ url: '/t/employees', minutesAgo: 60 * 24 * 7 }),
    yesterday: fixtureRecord({ url: '/t/clients?limit=5', minutesAgo: 60 * 24 + 5 }),
    created: fixtureRecord({ method: 'POST', url: '/t/clients', status: 201, minutesAgo: 120 }),
    missing: fixtureRecord({ url: '/t/clients/999', status: 404, minutesAgo: 30 }),
    refused: fixtureRecord({ url: '/t/finance/invoices', status: 403, minutesAgo: 5 }),
    unavailable: fixtureRecord({ method: 'put', url: '/v0/administration/clients/3', status: 503, minutesAgo: 2 }),
  };
  await writeRecords(logDir, Object.values(records));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ons-proxy logs', () => {
  it('lists every day file as a table, oldest first', async () => {
    const { code, stdout } = await logs();
    expect(code).toBe(0);
    const [header, ...rows] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/^TIME\s+METHOD\s+STATUS\s+MS\s+URL\s+ID$/);
    expect(rows).toHaveLength(6);
    expect(idsIn(stdout)).toEqual(Object.values(records).map((r) => r.id));
    expect(rows[3]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\s+GET\s+404\s+12\.5\s+\/t\/clients\/999\s+[0-9a-f-]{36}$/);
  });

  it.each([
    [['--status', '4xx'], ['missing', 'refused']],
    [['--status', '404'], ['missing']],
    [['--status', '2xx,503'], ['lastWeek', 'yesterday', 'created', 'unavailable']],
    [['--method', 'post,PUT'], ['created', 'unavailable']],
    [['--path', 'clients'], ['yesterday', 'created', 'missing', 'unavailable']],
    [['--path', '/t/clients/*'], ['missing']],
    [['--path', '/*/clients'], ['yesterday', 'created']],
    [['--since', '10m'], ['refused', 'unavailable']],
    [['--since', '2d', '--status', '2xx'], ['yesterday', 'created']],
  ])('filters with %j', { concurrent: true }, async (args, expected) => {
    const { code, stdout } = await logs(...args);
    expect(code).toBe(0);
    expect(idsIn(stdout)).toEqual(expected.map((name) => records[name]?.id));
  });

  it('takes an ISO moment for --since', async () => {
    const since = new Date(Date.now() - 45 * 60_000).toISOString();
    expect(idsIn((await logs('--since', since)).stdout)).toEqual([records.missing?.id, records.refused?.id, records.unavailable?.id]);
  });

  it('prints raw JSON lines for jq with --json', async () => {
    const { stdout } = await logs('--json', '--status', '403');
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual(records.refused);
  });

  it('prints one record in full with --id, also by its first characters', async () => {
    const record = records.created as TrafficRecord;
    const full = await logs('--id', record.id);
    expect(full.code).toBe(0);
    expect(JSON.parse(full.stdout)).toEqual(record);
    expect(full.stdout).toContain('\n  "method": "POST",\n');
    expect(JSON.parse((await logs('--id', record.id.slice(0, 8))).stdout)).toEqual(record);
  });

  it.each([
    [['--id', '00000000-dead-beef-0000-000000000000'], 1, /^ons-proxy: No recorded exchange with id "00000000-dead-beef-0000-000000000000" in .*: copy it from/],
    [['--status', 'bad'], 2, /^ons-proxy: --status "bad" is not a status: use a code \(404\), a class \(4xx\) or a list \(4xx,503\)\.$/],
    [['--since', 'last tuesday'], 2, /^ons-proxy: --since "last tuesday" is not a moment: use a duration/],
    [['--log-dir', '/nonexistent/ons-logs'], 2, /^ons-proxy: No traffic records: the log folder \/nonexistent\/ons-logs does not exist\. Start the proxy first, or point ONS_PROXY_LOG_DIR \(--log-dir\) at the folder it writes to\.$/],
  ])('answers %j with exit %i and one line', { concurrent: true }, async (args, exitCode, message) => {
    const { code, stdout, stderr } = await logs(...args);
    expect(code).toBe(exitCode);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(message);
    expect(stdout.split('\n').filter((line) => /[0-9a-f]{8}-/.test(line))).toEqual([]);
  });

  it('follows new records as they are written, filters included', async () => {
    const child = spawn(process.execPath, [CLI, 'logs', '--follow', '--status', '5xx', '--log-dir', logDir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const waitFor = (text: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (output.includes(text)) resolve();
        };
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          check();
        });
        child.once('close', () => reject(new Error(`logs --follow ended before printing ${text}:\n${output}`)));
        check();
      });
    try {
      await waitFor(records.unavailable?.id ?? '');
      const later = fixtureRecord({ url: '/t/later', status: 502, minutesAgo: 0 });
      const ignored = fixtureRecord({ url: '/t/ignored', status: 200, minutesAgo: 0 });
      await writeRecords(logDir, [ignored, later]);
      await waitFor(later.id);
      expect(output).not.toContain(ignored.id);
    } finally {
      child.kill('SIGINT');
    }
    expect(await new Promise((resolve) => child.once('close', resolve))).toBe(0);
  });
});

describe('ons-proxy har', () => {
  it('exports the selected exchanges as HAR 1.2 that validates against the schema', async () => {
    const out = path.join(dir, 'export.har');
    const { code, stderr } = await runCli(['har', '--log-dir', logDir, '--since', '3h', '--out', out], { cwd: dir });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^Wrote \d+ exchanges to /);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const har = JSON.parse(await readFile(out, 'utf8')) as { log: { version: string; entries: Array<{ _id: string; request: { url: string } }> } };
    validateHar(har);
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries.map((entry) => entry._id).slice(0, 4)).toEqual([records.created?.id, records.missing?.id, records.refused?.id, records.unavailable?.id]);
    expect(har.log.entries[0]?.request.url).toBe('https://api-development.ons.io/t/clients');
  });

  it('writes to standard output without --out, filters included', async () => {
    const { code, stdout } = await runCli(['har', '--log-dir', logDir, '--status', '404'], { cwd: dir });
    expect(code).toBe(0);
    const har = JSON.parse(stdout) as { log: { entries: Array<{ _id: string; response: { status: number; content: { text: string } } }> } };
    validateHar(har);
    expect(har.log.entries).toHaveLength(1);
    expect(har.log.entries[0]?.response).toMatchObject({ status: 404, content: { text: '{"ok":true}' } });
  });
});
