// Readers skip what they cannot read and say so once: log lines that are not records
// ("method": 5, "url": null, a broken line) never abort logs, endpoints, migrate, har,
// fixtures save or replay; a HAR's unusable entry is skipped and named; and entries alike in
// time, method and URL stay as many fixtures as there were entries.
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay, trafficFileName } from '../../src/traffic/index.js';
import { runCli, spawnProxy } from '../support/cli.js';
import { fixtureRecord } from '../support/records-fixture.js';
import { readIndexFile, send } from './helpers.js';

let dir: string;
let logDir: string;
let fileName: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-unreadable-'));
  logDir = path.join(dir, 'logs');
  const good = fixtureRecord({ url: '/t/clients/1', minutesAgo: 0 });
  const other = fixtureRecord({ url: '/t/clients/2', minutesAgo: 0 });
  fileName = trafficFileName(localDay(new Date(good.time)));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(logDir, { recursive: true });
  const lines = [
    JSON.stringify(good),
    JSON.stringify({ ...fixtureRecord({ url: '/t/clients/3', minutesAgo: 0 }), method: 5 }),
    '{"id": "half a line',
    JSON.stringify({ ...fixtureRecord({ url: '/t/clients/4', minutesAgo: 0 }), url: null }),
    '',
    JSON.stringify(other),
  ];
  await appendFile(path.join(logDir, fileName), `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('log lines that are not records', () => {
  const note = (): string => `3 lines skipped: not a record (${fileName} lines 2, 3, 4).\n`;

  for (const args of [['logs'], ['logs', '--json'], ['endpoints'], ['migrate'], ['har']]) {
    it(`${args.join(' ')} reads the rest and names them once`, async () => {
      const result = await runCli([...args, '--log-dir', logDir], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(note());
      if (args[0] === 'logs') expect(result.stdout).toContain('/t/clients/2');
    });
  }

  it('with a filter, names the lines that could have matched (a line without "status":2 is never read)', async () => {
    const result = await runCli(['logs', '--status', '2xx', '--log-dir', logDir], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('/t/clients/2');
    expect(result.stderr).toBe(`2 lines skipped: not a record (${fileName} lines 2, 4).\n`);
  });

  it('fixtures save writes the records and names the lines', async () => {
    const out = path.join(dir, 'fixtures');
    const result = await runCli(['fixtures', 'save', '--out', out, '--log-dir', logDir], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(note());
    expect(await readIndexFile(out)).toHaveLength(2);
  });

  it('replay of the folder serves the records and warns about the lines', async () => {
    const replay = await spawnProxy(['replay', logDir, '--latency', '0'], { cwd: dir, env: { ONS_PROXY_LOG_DIR: path.join(dir, 'replay-logs') } });
    try {
      expect((await send(replay.url, { path: '/t/clients/2' })).status).toBe(200);
      expect(replay.output()).toContain(`3 lines skipped: not a record (${fileName} lines 2, 3, 4)`);
    } finally {
      await replay.stop();
    }
  });
});

describe('HAR entries', () => {
  const entry = (extra: Record<string, unknown> = {}) => ({
    startedDateTime: '2026-12-01T10:00:00.000Z',
    time: 5,
    request: { method: 'GET', url: 'https://api.example.test/v0/clients?page=1', headers: [] },
    response: { status: 200, headers: [{ name: 'Content-Type', value: 'application/json' }], content: { mimeType: 'application/json', text: '{"page":1}' } },
    ...extra,
  });

  it('keeps 1,000 entries of the same time, method and URL, and skips a broken one by name', async () => {
    const har = path.join(dir, 'batch.har');
    const entries = [...Array.from({ length: 1000 }, () => entry()), { startedDateTime: 5 }];
    await writeFile(har, JSON.stringify({ log: { entries } }));
    const out = path.join(dir, 'batch');
    const result = await runCli(['fixtures', 'save', '--out', out, '--har', har], { cwd: dir, timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Wrote 1000 new fixtures');
    expect(result.stderr).toContain(`1 entry of ${har} skipped: not a usable HAR entry (entry 1001: has no startedDateTime).`);
    expect(await readIndexFile(out)).toHaveLength(1000);
    // Saving the same HAR again adds nothing: each entry's id is stable.
    const again = await runCli(['fixtures', 'save', '--out', out, '--har', har], { cwd: dir, timeoutMs: 60_000 });
    expect(again.stdout).toContain('Wrote 0 new fixtures to');
    expect(again.stdout).toContain('(1000 already there)');
  });
});
