// The inspector's read-back after a restart: only the end of a long day's file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLastRecords, type TrafficRecord } from '../../src/traffic/index.js';
import { fixtureRecord } from './records-fixture.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-tail-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileOf(name: string, lines: readonly string[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, lines.join(''));
  return file;
}

const line = (record: TrafficRecord): string => `${JSON.stringify(record)}\n`;

describe('reading the last records of a traffic file', () => {
  it('returns the last records the filter keeps, oldest first, across many chunks', async () => {
    const records = Array.from({ length: 3000 }, (_, index) => fixtureRecord({ profile: index % 3 === 0 ? 'other' : 'default', url: `/t/clients/${index}` }));
    const file = await fileOf('many.ndjson', records.map(line));
    const kept = records.filter((record) => record.profile === 'default');
    const last = await readLastRecords(file, 500, (record) => record.profile === 'default');
    expect(last.map((record) => record.url)).toEqual(kept.slice(-500).map((record) => record.url));
  });

  it('keeps records longer than a read chunk whole, and skips a line still being written', async () => {
    const big = fixtureRecord({ url: '/t/big', responseBody: { text: 'x'.repeat(700 * 1024) } });
    const small = fixtureRecord({ url: '/t/small' });
    const file = await fileOf('big.ndjson', [line(fixtureRecord({ url: '/t/first' })), line(big), line(small), '{"id":"half a rec']);
    const last = await readLastRecords(file, 10, () => true);
    expect(last.map((record) => record.url)).toEqual(['/t/first', '/t/big', '/t/small']);
    expect((last[1]?.response.body as { text: string }).text).toHaveLength(700 * 1024);
  });

  it('returns everything when the file holds fewer records than asked for, and nothing for an empty file', async () => {
    const records = [fixtureRecord({ url: '/t/a' }), fixtureRecord({ url: '/t/b' })];
    expect((await readLastRecords(await fileOf('two.ndjson', records.map(line)), 500, () => true)).map((record) => record.url)).toEqual(['/t/a', '/t/b']);
    expect(await readLastRecords(await fileOf('empty.ndjson', []), 500, () => true)).toEqual([]);
  });
});
