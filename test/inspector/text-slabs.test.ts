// The ring's record bytes live in reused slabs: reuse must never overwrite a record still held.
import { describe, expect, it } from 'vitest';
import { RecordRing } from '../../src/inspector/ring.js';
import { TextSlabs } from '../../src/inspector/text-slabs.js';
import { fixtureRecord } from '../support/records-fixture.js';

describe('the ring on reused slabs', () => {
  it('gives back every held record intact after its slabs were reused many times over', () => {
    const ring = new RecordRing(40);
    // ~30 KB records: a slab holds about 34, so 600 pushes cycle through slabs ~17 times.
    const records = Array.from({ length: 600 }, (_, index) => fixtureRecord({ url: `/t/${index}`, responseBody: `${index}:`.padEnd(30_000, String(index % 10)) }));
    for (const record of records) ring.push(record.id, Buffer.from(JSON.stringify(record)));
    expect(ring.all()).toEqual(records.slice(-40));
    expect(ring.get(records[560]?.id ?? '')).toEqual(records[560]);
  });

  it('keeps a record that arrives when its slab is emptied and reused, and large texts apart', () => {
    const ring = new RecordRing(1);
    const small = Array.from({ length: 50 }, (_, index) => fixtureRecord({ url: `/t/small/${index}` }));
    for (const record of small) ring.push(record.id, Buffer.from(JSON.stringify(record)));
    expect(ring.all()).toEqual([small.at(-1)]);
    const large = fixtureRecord({ url: '/t/large', responseBody: 'x'.repeat(400_000) });
    ring.push(large.id, Buffer.from(JSON.stringify(large)));
    expect(ring.all()).toEqual([large]);
  });

  it('reuses a slab only once every text in it was released', () => {
    const slabs = new TextSlabs();
    // 100 KB texts: ten fill a 1 MB slab.
    const text = (index: number): Buffer => Buffer.alloc(100 * 1024, `${index}|`);
    const first = Array.from({ length: 10 }, (_, index) => slabs.store([text(index)]));
    for (const stored of first.slice(1)) slabs.release(stored);
    for (let index = 10; index < 40; index++) slabs.store([text(index)]);
    expect(first[0]?.equals(text(0))).toBe(true);
  });

  it('copies the text, so the caller may reuse the buffer it handed over', () => {
    const slabs = new TextSlabs();
    const text = Buffer.from('{"a":1}');
    const stored = slabs.store([text]);
    text.fill(0);
    expect(stored.toString()).toBe('{"a":1}');
  });
});
