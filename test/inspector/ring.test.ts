// The inspector's memory of recent exchanges: bounded by count and by bytes, oldest dropped first.
import { describe, expect, it } from 'vitest';
import type { RecordText } from '../../src/inspector/restore.js';
import { RecordRing } from '../../src/inspector/ring.js';
import type { TrafficRecord } from '../../src/traffic/record.js';
import { fixtureRecord } from '../support/records-fixture.js';

const urls = (ring: RecordRing): string[] => ring.all().map((record) => record.url);

describe('the record ring', () => {
  it('keeps the last `limit` records, oldest first, through many pushes', () => {
    const ring = new RecordRing(3);
    const records = Array.from({ length: 20 }, (_, index) => fixtureRecord({ url: `/t/${index}` }));
    for (const record of records) ring.push(record.id, Buffer.from(JSON.stringify(record)));
    expect(urls(ring)).toEqual(['/t/17', '/t/18', '/t/19']);
    expect(ring.size).toBe(3);
    expect(ring.get(records[18]?.id ?? '')?.url).toBe('/t/18');
    expect(ring.get(records[16]?.id ?? '')).toBeUndefined();
  });

  it('drops the oldest once the bodies pass the byte budget, but keeps the newest record', () => {
    const ring = new RecordRing(100, 10_000);
    for (let index = 0; index < 5; index++) {
      const record = fixtureRecord({ url: `/t/${index}`, responseBody: 'x'.repeat(4000) });
      ring.push(record.id, Buffer.from(JSON.stringify(record)));
    }
    expect(ring.bytes).toBeLessThanOrEqual(10_000);
    expect(urls(ring).at(-1)).toBe('/t/4');
    expect(ring.size).toBeLessThan(5);
  });

  it('puts records read back from the file before the ones seen since, without duplicates', () => {
    const ring = new RecordRing(4);
    const live = fixtureRecord({ url: '/t/live' });
    ring.push(live.id, Buffer.from(JSON.stringify(live)));
    const text = (record: TrafficRecord): RecordText => ({ id: record.id, json: Buffer.from(JSON.stringify(record)) });
    ring.addOlder([text(fixtureRecord({ url: '/t/a' })), text(fixtureRecord({ url: '/t/b' })), text(live)]);
    expect(urls(ring)).toEqual(['/t/a', '/t/b', '/t/live']);
  });

  it('gives back each record whole, parsed from the bytes it holds rather than the object pushed', () => {
    const ring = new RecordRing(2);
    const record = fixtureRecord({ url: '/t/whole/é', responseBody: '{"data":[{"id":1,"name":"Zoë"}]}' });
    ring.push(record.id, Buffer.from(JSON.stringify(record)));
    const back = ring.get(record.id);
    expect(back).toEqual(record);
    expect(back).not.toBe(record);
    expect(ring.bytes).toBe(Buffer.byteLength(JSON.stringify(record)));
  });
});
