// Exact bodies from the record to every reader that writes or serves them: an upstream whose
// answer holds an int64 id above 2^53, spacing, a \u escape and 1.0 is recorded, listed with
// `logs --json`, saved as fixtures, replayed (from the set and from the log folder) and
// exported as HAR, and each gives back the bytes the upstream sent. A set in the format
// before bodyText still replays.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxyProcess, startScriptedUpstream, type ScriptedUpstream } from '../hardening/scripted-upstream.js';
import { runCli, spawnProxy } from '../support/cli.js';
import { readFixtureFile, readIndexFile, send } from './helpers.js';

const ANSWER = '{"id": 9007199254740993, "name": "Jan\\u00e9", "score": 1.0, "items": [ 1, 2 ]}';
// Safe numbers, but spacing the compact form would drop.
const SPACED = '{"a": 1, "b": [ "x", "y\\/z" ]}';
const REQUEST = '{"clientId": 9007199254740993,  "text": "Belde"}';

let upstream: ScriptedUpstream;
let logDir: string;
let fixtures: string;

beforeAll(async () => {
  upstream = await startScriptedUpstream((request, _body, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(request.url === '/v0/spaced' ? SPACED : ANSWER);
  });
  logDir = path.join(upstream.dir, 'logs');
  fixtures = path.join(upstream.dir, 'fixtures');
  const proxy = await startProxyProcess(upstream);
  try {
    expect((await send(proxy.url, { path: '/v0/clients/1' })).bytes.toString()).toBe(ANSWER);
    await send(proxy.url, { path: '/v0/spaced' });
    await send(proxy.url, { method: 'POST', path: '/v0/notes', body: REQUEST });
  } finally {
    await proxy.stop();
  }
});
afterAll(async () => {
  await upstream?.close();
});

async function trafficText(): Promise<string> {
  const names = (await readdir(logDir)).filter((name) => name.endsWith('.ndjson'));
  return (await Promise.all(names.map((name) => readFile(path.join(logDir, name), 'utf8')))).join('');
}

describe('exact bodies', () => {
  it('the record and logs --json keep the bytes', async () => {
    const text = await trafficText();
    expect(text).toContain(`"body":${ANSWER}`);
    expect(text).toContain(`"body":${REQUEST}`);
    const logs = await runCli(['logs', '--json', '--log-dir', logDir], { cwd: upstream.dir });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain(`"body":${ANSWER}`);
    expect(logs.stdout).toContain(`"body":${REQUEST}`);
    expect(logs.stdout).toContain(`"body":${SPACED}`);
  });

  it('logs --id shows the id with all its digits', async () => {
    const line = (await trafficText()).split('\n').find((candidate) => candidate.includes('/v0/clients/1')) ?? '';
    const id = /"id":"([^"]+)"/.exec(line)?.[1] ?? '';
    const shown = await runCli(['logs', '--id', id, '--log-dir', logDir], { cwd: upstream.dir });
    expect(shown.stdout).toContain('"id": 9007199254740993');
    expect(shown.stdout).toContain('"score": 1.0');
  });

  it('fixtures hold the exact text beside the value, or instead of a value that cannot hold it', async () => {
    const saved = await runCli(['fixtures', 'save', '--out', fixtures, '--log-dir', logDir], { cwd: upstream.dir });
    expect(saved.code).toBe(0);
    const index = await readIndexFile(fixtures);
    const file = (urlPath: string): string => index.find((entry) => entry.path === urlPath)?.file ?? '';
    const client = (await readFixtureFile(fixtures, file('/v0/clients/1'))) as unknown as { response: { body?: unknown; bodyText?: string } };
    expect(client.response.bodyText).toBe(ANSWER);
    expect(client.response.body).toBeUndefined();
    const spaced = (await readFixtureFile(fixtures, file('/v0/spaced'))) as unknown as { response: { body?: unknown; bodyText?: string } };
    expect(spaced.response.body).toEqual({ a: 1, b: ['x', 'y/z'] });
    expect(spaced.response.bodyText).toBe(SPACED);
    const note = (await readFixtureFile(fixtures, file('/v0/notes'))) as unknown as { request: { bodyText?: string } };
    expect(note.request.bodyText).toBe(REQUEST);
  });

  it('replay serves the recorded bytes, from the set and from the log folder', async () => {
    for (const source of [fixtures, logDir]) {
      const replay = await spawnProxy(['replay', source, '--latency', '0'], { cwd: upstream.dir, env: { ONS_PROXY_LOG_DIR: path.join(upstream.dir, 'replay-logs') } });
      try {
        expect((await send(replay.url, { path: '/v0/clients/1' })).bytes.toString()).toBe(ANSWER);
        expect((await send(replay.url, { path: '/v0/spaced' })).bytes.toString()).toBe(SPACED);
        const posted = await send(replay.url, { method: 'POST', path: '/v0/notes', body: REQUEST });
        expect(posted.status).toBe(200);
        expect(posted.bytes.toString()).toBe(ANSWER);
      } finally {
        await replay.stop();
      }
    }
  });

  it('the HAR export keeps the bytes, and a set saved from it too', async () => {
    const har = path.join(upstream.dir, 'exchanges.har');
    expect((await runCli(['har', '--out', har, '--log-dir', logDir], { cwd: upstream.dir })).code).toBe(0);
    const entries = (JSON.parse(await readFile(har, 'utf8')) as { log: { entries: Array<{ request: { url: string; postData?: { text: string } }; response: { content: { text?: string } } }> } }).log.entries;
    const byPath = (urlPath: string) => entries.find((entry) => new URL(entry.request.url).pathname === urlPath);
    expect(byPath('/v0/clients/1')?.response.content.text).toBe(ANSWER);
    expect(byPath('/v0/spaced')?.response.content.text).toBe(SPACED);
    expect(byPath('/v0/notes')?.request.postData?.text).toBe(REQUEST);
    const fromHar = path.join(upstream.dir, 'from-har');
    expect((await runCli(['fixtures', 'save', '--out', fromHar, '--har', har], { cwd: upstream.dir })).code).toBe(0);
    const index = await readIndexFile(fromHar);
    const client = (await readFixtureFile(fromHar, index.find((entry) => entry.path === '/v0/clients/1')?.file ?? '')) as unknown as { response: { bodyText?: string } };
    expect(client.response.bodyText).toBe(ANSWER);
  });

  it('masking a field keeps the int64 id of the rest of the body', async () => {
    const maskedLogs = path.join(upstream.dir, 'masked-logs');
    const proxy = await startProxyProcess(upstream, { ONS_PROXY_REDACT_FIELDS: 'name', ONS_PROXY_LOG_DIR: maskedLogs });
    try {
      await send(proxy.url, { path: '/v0/clients/1' });
    } finally {
      await proxy.stop();
    }
    const names = (await readdir(maskedLogs)).filter((name) => name.endsWith('.ndjson'));
    const text = (await Promise.all(names.map((name) => readFile(path.join(maskedLogs, name), 'utf8')))).join('');
    expect(text).toContain('"id":9007199254740993');
    expect(text).toContain('"name":"[redacted]"');
  });

  it('a set written before bodyText existed still replays its values', async () => {
    const old = path.join(upstream.dir, 'old-set');
    await mkdir(old, { recursive: true });
    const fixture = {
      request: { body: '', bodyEncoding: 'text', headers: {}, method: 'GET', path: '/v0/old', query: {} },
      response: { body: { id: 7, name: 'Old' }, bodyEncoding: 'json', headers: { 'content-type': 'application/json' }, status: 200 },
      source: { durationMs: 1, id: 'old-1', time: '2026-11-01T10:00:00.000Z' },
    };
    await writeFile(path.join(old, 'get-v0-old.json'), JSON.stringify(fixture, null, 2));
    await writeFile(path.join(old, 'index.json'), JSON.stringify({ format: 'ons-proxy-fixtures/1', fixtures: [{ file: 'get-v0-old.json', method: 'GET', path: '/v0/old', status: 200, source: 'old-1' }] }));
    const replay = await spawnProxy(['replay', old, '--latency', '0'], { cwd: upstream.dir, env: { ONS_PROXY_LOG_DIR: path.join(upstream.dir, 'old-logs') } });
    try {
      expect((await send(replay.url, { path: '/v0/old' })).bytes.toString()).toBe('{"id":7,"name":"Old"}');
    } finally {
      await replay.stop();
      await rm(old, { recursive: true, force: true });
    }
  });
});
