// Reading today's records back after a restart: each line read once, whatever its length,
// and each record kept as the bytes it was written as.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedBodyText } from '../../src/inspector/record-text.js';
import { restoreLastRecords } from '../../src/inspector/restore.js';
import { fixtureRecord } from '../support/records-fixture.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-restore-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (url: string, body = '{"ok": true}'): string => JSON.stringify(fixtureRecord({ url, responseBody: '__BODY__' })).replace('"__BODY__"', body);

describe('restoring the last records of a day file', () => {
  it('gives the last records that pass the filter, oldest first, as the bytes of their lines', async () => {
    const exact = '{"id": 9007199254740993, "score": 1.0,  "items": [ 1, 2 ]}';
    const lines = [line('/t/1'), line('/t/2', exact), JSON.stringify(fixtureRecord({ url: '/t/other', profile: 'other' })), line('/t/3'), '{"id": "half a li'];
    const file = path.join(dir, 'few.ndjson');
    await writeFile(file, lines.join('\n'));
    const restored = await restoreLastRecords(file, 2, (record) => record.profile === 'default');
    expect(restored.records.map((record) => JSON.parse(record.json.toString()).url)).toEqual(['/t/2', '/t/3']);
    expect(recordedBodyText(restored.records[0]?.json ?? Buffer.alloc(0), 'response')?.toString()).toBe(exact);
    expect(restored.tooLong).toBe(0);
  });

  it('passes over a line longer than the bound, reading it once, and keeps the lines around it', async () => {
    const file = path.join(dir, 'long.ndjson');
    // 40 MB of one body: read as one growing line per chunk it would be quadratic.
    const huge = line('/t/huge', JSON.stringify('x'.repeat(40 * 1024 * 1024)));
    await writeFile(file, [line('/t/before'), huge, line('/t/after'), ''].join('\n'));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const restored = await restoreLastRecords(file, 10, () => true, 4 * 1024 * 1024);
    delay.disable();
    expect(restored.records.map((record) => JSON.parse(record.json.toString()).url)).toEqual(['/t/before', '/t/after']);
    expect(restored.tooLong).toBe(1);
    // Generous: the reads are asynchronous chunks, none holds the loop for long.
    expect(delay.max / 1e6).toBeLessThan(1000);
  });

  it('keeps a line that spans many chunks whole', async () => {
    const file = path.join(dir, 'spanning.ndjson');
    const body = JSON.stringify({ text: 'é'.repeat(3 * 1024 * 1024) });
    await writeFile(file, [line('/t/a'), line('/t/big', body)].join('\n'));
    const restored = await restoreLastRecords(file, 10, () => true);
    expect(restored.records).toHaveLength(2);
    expect(recordedBodyText(restored.records[1]?.json ?? Buffer.alloc(0), 'response')?.toString()).toBe(body);
  });
});

describe("a recorded body's own text", () => {
  it('is found in the record text for either side, whatever comes before it', () => {
    const record = fixtureRecord({ url: '/t/x' });
    const text = Buffer.from(JSON.stringify({ ...record, request: { headers: { 'x-a': 'a "quoted" } value' }, body: '__REQ__', bodyBytes: 5, bodyTruncated: false, bodyEncoding: 'json' } }).replace('"__REQ__"', '[1.0, {"a": "}"} ]'));
    expect(recordedBodyText(text, 'request')?.toString()).toBe('[1.0, {"a": "}"} ]');
    expect(recordedBodyText(text, 'response')?.toString()).toBe('{"ok":true}');
    expect(recordedBodyText(Buffer.from('{"request": {"headers": {}}}'), 'request')).toBeUndefined();
  });
});
