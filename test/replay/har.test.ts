// A HAR exported by a browser (Chrome's "Save all as HAR", written out by hand here) replayed
// as it is, and saved as a fixture set.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnProxy, type SpawnedProxy } from '../support/cli.js';
import { outputContains, readFixtureFile, send } from './helpers.js';

const HAR = fileURLToPath(new URL('./data/chrome-export.har', import.meta.url));

interface BrowserEntry {
  request: { url: string };
  response: { content: { text?: string; encoding?: string } };
}

let dir: string;
let entries: BrowserEntry[];
let replay: SpawnedProxy;

function answerOf(urlEnd: string): Buffer {
  const entry = entries.find((candidate) => candidate.request.url.endsWith(urlEnd));
  const content = entry?.response.content;
  return Buffer.from(content?.text ?? '', content?.encoding === 'base64' ? 'base64' : 'utf8');
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-har-replay-'));
  entries = (JSON.parse(await readFile(HAR, 'utf8')) as { log: { entries: BrowserEntry[] } }).log.entries;
  replay = await spawnProxy(['replay', HAR, '--latency', '0'], { cwd: dir, env: { ONS_PROXY_LOG_DIR: path.join(dir, 'logs') } });
});
afterAll(async () => {
  await replay?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('ons-proxy replay file.har', () => {
  it('answers each entry with its content, decoded, without the recorded content-encoding', async () => {
    const client = await send(replay.url, { path: '/v0/administration/clients/2' });
    expect(client.status).toBe(200);
    expect(client.bytes.equals(answerOf('/clients/2'))).toBe(true);
    expect(client.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(client.headers['content-encoding']).toBeUndefined();

    const list = await send(replay.url, { path: '/t/clients?offset=0&limit=2' });
    expect(list.bytes.equals(answerOf('limit=2&offset=0'))).toBe(true);

    const photo = await send(replay.url, { path: '/v0/administration/clients/2/photo', headers: { accept: 'image/*' } });
    expect(photo.headers['content-type']).toBe('image/png');
    expect(photo.bytes.equals(answerOf('/photo'))).toBe(true);
  });

  it('matches a JSON request body as JSON, whatever the key order', async () => {
    const note = await send(replay.url, { method: 'POST', path: '/t/clients/2/notes', body: JSON.stringify({ category: 'care', text: 'Called about the visit' }) });
    expect(note.status).toBe(201);
    expect(note.headers.location).toBe('/t/clients/2/notes/14');
    expect(note.bytes.equals(answerOf('/notes'))).toBe(true);
  });

  it('says at start which entries it cannot replay, and answers them as misses', async () => {
    expect(await outputContains(replay.output, '1 exchange of')).toBe(true);
    expect((await send(replay.url, { path: '/t/employees' })).status).toBe(404);
  });
});

describe('ons-proxy fixtures save --har', () => {
  it('writes the entries that have content as fixtures, once', async () => {
    const out = path.join(dir, 'fixtures');
    const first = await runCli(['fixtures', 'save', '--har', HAR, '--out', out], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Wrote 4 new fixtures');
    expect(first.stdout).toContain('Not saved: 1 exchange without a response body in the HAR.');
    const client = await readFixtureFile(out, 'get-v0-administration-clients-2.json');
    expect(client.source.id).toMatch(/^har:[0-9a-f]{16}$/);
    expect(client.request.headers).toEqual({ accept: 'application/json' });
    expect(Object.keys(client.response.headers).sort()).toEqual(['access-control-allow-origin', 'content-type', 'date', 'vary']);
    const again = await runCli(['fixtures', 'save', '--har', HAR, '--out', out], { cwd: dir });
    expect(again.stdout).toContain('Wrote 0 new fixtures');
  });
});
