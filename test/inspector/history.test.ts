// The history search's pages over day files: newest first, each page going on where the one
// before stopped, a stop honoured between slices, and the box's query language.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordTextAt, searchHistory } from '../../src/inspector/history.js';
import { parseBoxQuery } from '../../src/inspector/query-text.js';
import { localDay, trafficFileName, type TrafficRecord } from '../../src/traffic/index.js';
import { fixtureRecord } from '../support/records-fixture.js';

let logDir: string;
const yesterday: TrafficRecord[] = [];
const today: TrafficRecord[] = [];

beforeAll(async () => {
  logDir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-history-'));
  // Enough bytes for a few slices of the search.
  const padding = 'x'.repeat(3000);
  for (let index = 0; index < 2000; index++) yesterday.push(fixtureRecord({ url: `/t/old/${index}`, minutesAgo: 24 * 60 + 10, responseBody: { padding } }));
  for (let index = 0; index < 3000; index++) today.push(fixtureRecord({ url: `/t/new/${index}`, status: index % 10 === 0 ? 404 : 200, minutesAgo: 1, responseBody: { padding } }));
  const now = new Date();
  const write = (day: Date, records: TrafficRecord[]) => writeFile(path.join(logDir, trafficFileName(localDay(day))), records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  await write(new Date(now.getTime() - 86_400_000), yesterday);
  await write(now, today);
  await write(new Date(now.getTime() - 4 * 86_400_000), [fixtureRecord({ url: '/t/ancient', minutesAgo: 4 * 24 * 60 })]);
});
afterAll(async () => {
  await rm(logDir, { recursive: true, force: true });
});

async function everything(text: string, limit: number): Promise<{ urls: string[]; pages: number }> {
  const urls: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await searchHistory({ logDir, query: parseBoxQuery(text), cursor, limit, cancelled: () => false }, (record) => record.url);
    urls.push(...page.matches);
    pages++;
    expect(page.readBytes).toBeLessThanOrEqual(page.totalBytes);
    if (page.next === null) {
      expect(page.readBytes).toBe(page.totalBytes);
      return { urls, pages };
    }
    cursor = page.next;
  }
}

describe('the history search', () => {
  it('reads every day file newest first, a page at a time, each record once', async () => {
    const { urls, pages } = await everything('', 700);
    expect(pages).toBeGreaterThan(3);
    expect(urls).toEqual([...[...today].reverse(), ...[...yesterday].reverse()].map((record) => record.url).concat('/t/ancient'));
  });

  it('filters with the filters of ons-proxy logs, and leaves out day files before since:', async () => {
    const { urls } = await everything('404 path:/t/new/*', 5000);
    expect(urls).toEqual(today.filter((record) => record.status === 404).map((record) => record.url).reverse());
    // As `logs --since` does, the day before is read too: an exchange that started then may have ended today.
    const recent = await searchHistory({ logDir, query: parseBoxQuery('since:5m'), cursor: undefined, limit: 100_000, cancelled: () => false }, (record) => record.url);
    const all = await searchHistory({ logDir, query: parseBoxQuery(''), cursor: undefined, limit: 100_000, cancelled: () => false }, (record) => record.url);
    expect(all.totalBytes - recent.totalBytes).toBe(JSON.stringify(fixtureRecord({ url: '/t/ancient' })).length + 1);
  });

  it('stops between slices when the page that asked went away', async () => {
    const page = await searchHistory({ logDir, query: parseBoxQuery(''), cursor: undefined, limit: 100_000, cancelled: () => true }, (record) => record.url);
    expect(page.matches).toEqual([]);
    expect(page.next).not.toBeNull();
  });

  it('finds a record again where the search found it, as the bytes of its line', async () => {
    const wanted = yesterday[1234] as TrafficRecord;
    const page = await searchHistory({ logDir, query: parseBoxQuery(`path:${wanted.url}`), cursor: undefined, limit: 10, cancelled: () => false }, (_record, at) => at);
    let at = page.matches[0];
    for (let cursor = page.next; at === undefined && cursor !== null; ) {
      const next = await searchHistory({ logDir, query: parseBoxQuery(`path:${wanted.url}`), cursor, limit: 10, cancelled: () => false }, (_record, found) => found);
      at = next.matches[0];
      cursor = next.next;
    }
    expect(at).toMatch(/^\d{4}-\d{2}-\d{2}:\d+:\d+$/);
    expect((await recordTextAt(logDir, wanted.id, at ?? ''))?.toString()).toBe(JSON.stringify(wanted));
    expect(await recordTextAt(logDir, wanted.id, '2001-01-01:0:10')).toBeUndefined();
  });

  it('says what it expected for words it cannot read', () => {
    expect(() => parseBoxQuery('status:abc')).toThrow('status: "abc" is not a status: use a code (404), a class (4xx) or a list (4xx,503).');
    expect(() => parseBoxQuery('since:soon')).toThrow(/^since: "soon" is not a moment: use a duration/);
    expect(() => parseBoxQuery('until:soon')).toThrow(/^until: "soon" is not a moment/);
    expect(() => parseBoxQuery('colour:red')).toThrow(/^"colour:" is not a filter: use a status/);
    expect(() => parseBoxQuery('since:1h since:2h')).toThrow('Give since: once (found since:1h, since:2h).');
  });
});
