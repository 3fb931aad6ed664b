// A session recorded through the proxy in front of the demo mock, saved as fixtures, then
// replayed with the mock gone: every answer comes back byte for byte, repeats in order,
// and a request nobody recorded gets the near-miss report.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnProxy, type SpawnedProxy } from '../support/cli.js';
import { startProxy, startUpstream } from '../support/harness.js';
import { allRecords } from '../support/records.js';
import { fixtureUrl, outputContains, readFixtureFile, readIndexFile, send, type Answer, type Call } from './helpers.js';

const run = promisify(execFile);
const NOTE = JSON.stringify({ text: 'Called the client' });
const SESSION: readonly Call[] = [
  { path: '/ping', headers: { accept: 'text/plain' } },
  { path: '/t/clients?limit=3' },
  { path: '/t/clients/1' },
  { path: '/v0/administration/clients/2' },
  { path: '/t/clients/999' },
  { method: 'POST', path: '/t/clients/1/notes', body: NOTE },
  { method: 'POST', path: '/t/clients/1/notes', body: NOTE },
  { path: '/t/finance/invoices' },
];

let dir: string;
let logDir: string;
let fixtures: string;
let recorded: Answer[];
let replay: SpawnedProxy;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-replay-'));
  logDir = path.join(dir, 'logs');
  fixtures = path.join(dir, 'fixtures');
  const upstream = await startUpstream();
  const proxy = await startProxy(upstream, { logDir });
  recorded = [];
  for (const call of SESSION) recorded.push(await send(proxy.url, call));
  await proxy.close();
  // From here on nothing answers but the fixtures.
  await upstream.close();
  const saved = await runCli(['fixtures', 'save', '--out', fixtures, '--log-dir', logDir], { cwd: dir });
  expect(saved.stderr).toBe('');
  expect(saved.code).toBe(0);
  replay = await spawnProxy(['replay', fixtures, '--latency', '0'], { cwd: dir, env: { ONS_PROXY_LOG_DIR: path.join(dir, 'replay-logs') } });
});
afterAll(async () => {
  await replay?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('ons-proxy fixtures save', () => {
  it('writes one file per exchange, named by path, and an index in recorded order', async () => {
    const index = await readIndexFile(fixtures);
    expect(index.map((entry) => [entry.method, entry.path, entry.status])).toEqual(SESSION.map((call, position) => [call.method ?? 'GET', call.path.split('?')[0], recorded[position]?.status]));
    expect(index.map((entry) => entry.file)).toEqual([
      'get-ping.json',
      'get-t-clients.json',
      'get-t-clients-1.json',
      'get-v0-administration-clients-2.json',
      'get-t-clients-999.json',
      'post-t-clients-1-notes.json',
      'post-t-clients-1-notes-2.json',
      'get-t-finance-invoices.json',
    ]);
    expect((await readdir(fixtures)).sort()).toEqual([...index.map((entry) => entry.file), 'index.json'].sort());
  });

  it('keeps the request headers that matter and the answer, with sorted keys', async () => {
    const note = await readFixtureFile(fixtures, 'post-t-clients-1-notes.json');
    expect(note.request).toEqual({ method: 'POST', path: '/t/clients/1/notes', query: {}, headers: { accept: 'application/json', 'content-type': 'application/json' }, body: { text: 'Called the client' }, bodyEncoding: 'json' });
    expect(note.response.status).toBe(201);
    expect(note.response.headers).not.toHaveProperty('x-request-id');
    const text = await readFile(path.join(fixtures, 'post-t-clients-1-notes.json'), 'utf8');
    expect(text.indexOf('"request"')).toBeLessThan(text.indexOf('"response"'));
    expect(text.indexOf('"response"')).toBeLessThan(text.indexOf('"source"'));
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('writes the same bytes for the same exchanges on every run', async () => {
    const again = path.join(dir, 'fixtures-again');
    expect((await runCli(['fixtures', 'save', '--out', again, '--log-dir', logDir], { cwd: dir })).code).toBe(0);
    for (const entry of await readIndexFile(fixtures)) {
      expect(await readFile(path.join(again, entry.file), 'utf8')).toBe(await readFile(path.join(fixtures, entry.file), 'utf8'));
    }
    expect(await readFile(path.join(again, 'index.json'), 'utf8')).toBe(await readFile(path.join(fixtures, 'index.json'), 'utf8'));
  });

  it('adds only new exchanges when saved again', async () => {
    const { code, stdout } = await runCli(['fixtures', 'save', '--out', fixtures, '--log-dir', logDir], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toContain(`Wrote 0 new fixtures to ${fixtures} (${SESSION.length} already there).`);
    expect(await readIndexFile(fixtures)).toHaveLength(SESSION.length);
  });
});

describe('ons-proxy replay', () => {
  it('answers every recorded request with the recorded status and the same bytes, repeats in recorded order', async () => {
    const index = await readIndexFile(fixtures);
    for (const [position, entry] of index.entries()) {
      const fixture = await readFixtureFile(fixtures, entry.file);
      const body = fixture.request.bodyEncoding === 'json' ? JSON.stringify(fixture.request.body) : undefined;
      const answer = await send(replay.url, { method: fixture.request.method, path: fixtureUrl(fixture), headers: fixture.request.headers, ...(body !== undefined ? { body } : {}) });
      const original = recorded[position] as Answer;
      expect({ file: entry.file, status: answer.status }).toEqual({ file: entry.file, status: original.status });
      expect(answer.bytes.equals(original.bytes), `${entry.file}: ${answer.bytes.toString()} vs ${original.bytes.toString()}`).toBe(true);
      expect(answer.headers['x-ons-proxy-replay']).toBe(entry.file);
      expect(answer.headers['content-type']).toBe(original.headers['content-type']);
    }
  });

  it('answers HTTP_PROXY-style clients that name the API host, as start does', async () => {
    const { stdout } = await run('curl', ['-sS', '-x', replay.url, '-H', 'accept: application/json', 'http://api-development.ons.io/t/clients/1']);
    expect(Buffer.from(stdout).equals(recorded[2]?.bytes ?? Buffer.alloc(0))).toBe(true);
  });

  it('serves the last recorded answer again after the recorded repeats, and compares JSON bodies as JSON', async () => {
    const spaced = '{ "text" :   "Called the client" }';
    const answer = await send(replay.url, { method: 'POST', path: '/t/clients/1/notes', body: spaced });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-ons-proxy-replay']).toBe('post-t-clients-1-notes-2.json');
    expect(answer.bytes.equals(recorded[6]?.bytes ?? Buffer.alloc(0))).toBe(true);
  });

  it('answers a request nobody recorded with 404 replay_no_match, the nearest fixtures and what differs, also on the console', async () => {
    const answer = await send(replay.url, { path: '/t/clients/2' });
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const problem = JSON.parse(answer.bytes.toString()) as { code: string; detail: string; nearest: Array<{ file: string; differences: string[] }> };
    expect(problem.code).toBe('replay_no_match');
    expect(problem.nearest[0]).toEqual({ file: 'get-t-clients-1.json', method: 'GET', path: '/t/clients/1', differences: ['path segment 3: 2 (fixture: 1)'] });
    expect(await outputContains(replay.output, 'No fixture for GET /t/clients/2. Nearest: get-t-clients-1.json')).toBe(true);

    const query = JSON.parse((await send(replay.url, { path: '/t/clients?limit=5' })).bytes.toString()) as typeof problem;
    expect(query.nearest[0]).toMatchObject({ file: 'get-t-clients.json', differences: ['query limit: 5 (fixture: 3)'] });

    const body = JSON.parse((await send(replay.url, { method: 'POST', path: '/t/clients/1/notes', body: JSON.stringify({ text: 'Something else' }) })).bytes.toString()) as typeof problem;
    expect(body.nearest[0]?.differences).toEqual(['body.text: "Something else" (fixture: "Called the client")']);
  });

  it('records the replayed exchanges as start does, tagged replay, and a save from them adds nothing', async () => {
    expect(await replay.stop()).toBe(0);
    const replayLogs = path.join(dir, 'replay-logs');
    const records = await allRecords(replayLogs);
    expect(records.length).toBeGreaterThanOrEqual(SESSION.length + 4);
    expect(new Set(records.map((record) => record.tag))).toEqual(new Set(['replay']));
    expect(records[0]?.response.headers['x-ons-proxy-replay']).toBe('get-ping.json');
    const { code, stdout } = await runCli(['fixtures', 'save', '--out', path.join(dir, 'from-replay'), '--log-dir', replayLogs], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toContain('Wrote 0 new fixtures');
    expect(stdout).toMatch(/Not saved: \d+ exchanges answered by a replay, not by the API\./);
  });
});

describe('ons-proxy replay --strict --ignore-query', () => {
  it('fails a repeat beyond the recorded ones with 404 replay_exhausted, and leaves ignored parameters out of the match', async () => {
    const strict = await spawnProxy(['replay', fixtures, '--latency', '0', '--strict', '--ignore-query', 'limit'], { cwd: dir, env: { ONS_PROXY_LOG_DIR: path.join(dir, 'strict-logs') } });
    try {
      expect((await send(strict.url, { path: '/t/clients?limit=50' })).status).toBe(200);
      const statuses: number[] = [];
      for (let call = 0; call < 3; call++) statuses.push((await send(strict.url, { method: 'POST', path: '/t/clients/1/notes', body: NOTE })).status);
      expect(statuses).toEqual([201, 201, 404]);
      const third = await send(strict.url, { method: 'POST', path: '/t/clients/1/notes', body: NOTE });
      expect(JSON.parse(third.bytes.toString())).toMatchObject({ code: 'replay_exhausted', fixtures: ['post-t-clients-1-notes.json', 'post-t-clients-1-notes-2.json'] });
    } finally {
      await strict.stop();
    }
  });
});
