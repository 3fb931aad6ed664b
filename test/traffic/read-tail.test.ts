// The inspector's read-back after a restart: only the end of a long day's file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followRecords, localDay, readLastRecords, readRecords, trafficFileName, wholeLineEnds, type TrafficRecord } from '../../src/traffic/index.js';
import { fixtureRecord } from '../support/records-fixture.js';

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

describe('listing, then following (logs --follow)', () => {
  it('prints a record written between the list and the follow once, and a half-written line once it is whole', async () => {
    const logDir = await mkdtemp(path.join(dir, 'follow-'));
    const file = path.join(logDir, trafficFileName(localDay(new Date())));
    const [first, second, between, late] = Array.from({ length: 4 }, (_, index) => fixtureRecord({ url: `/t/clients/${index}`, minutesAgo: 0 }));
    const half = line(late!).slice(0, 40);
    await writeFile(file, `${line(first!)}${line(second!)}${half}`);
    const ends = await wholeLineEnds([logDir]);
    // Written while the list is being read: after the snapshot, before the follow starts.
    await writeFile(file, `${line(first!)}${line(second!)}${half}${line(late!).slice(40)}${line(between!)}`);

    const listed: string[] = [];
    for await (const record of readRecords({ logDir, upTo: ends })) listed.push(record.url);
    expect(listed).toEqual(['/t/clients/0', '/t/clients/1']);

    const stop = new AbortController();
    const followed: string[] = [];
    for await (const record of followRecords({ logDir, signal: stop.signal, from: ends, pollMs: 10 })) {
      followed.push(record.url);
      if (followed.length === 2) stop.abort();
    }
    expect(followed).toEqual(['/t/clients/3', '/t/clients/2']);
  });
});
