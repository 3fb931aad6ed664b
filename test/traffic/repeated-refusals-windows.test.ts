// Unit-level: how the windows of summed-up refusals open, grow and close, on a fake clock
// (the behaviour over real sockets is in repeated-refusals.test.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { RepeatedRefusals } from '../../src/traffic/repeated-refusals.js';
import { fixtureRecord } from '../support/records-fixture.js';
import { assertValidRecord } from '../support/records.js';

const OPTIONS = { firstWindowMs: 1000, longestWindowMs: 4000, maxKinds: 2 };

describe('windows of repeated refusals', () => {
  let published: TrafficRecord[];
  let refusals: RepeatedRefusals;
  const refuse = (kind: string, times: number): void => {
    for (let index = 0; index < times; index++) refusals.add(kind, fixtureRecord({ status: 403 }));
  };

  beforeEach(() => {
    vi.useFakeTimers();
    published = [];
    refusals = new RepeatedRefusals((record) => published.push(record), OPTIONS);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes the first at once and the repeats as one record when the window ends', () => {
    refuse('a', 5);
    expect(published).toHaveLength(1);
    expect(published[0]?.repeated).toBeUndefined();
    vi.advanceTimersByTime(1000);
    expect(published).toHaveLength(2);
    const summed = published[1];
    assertValidRecord(summed);
    expect(summed.repeated?.count).toBe(4);
    expect(refusals.summedUp).toBe(3);
  });

  it('doubles the window while the flood goes on, up to the longest, and starts afresh after a quiet window', () => {
    refuse('a', 1);
    vi.advanceTimersByTime(500);
    refuse('a', 3);
    vi.advanceTimersByTime(500);
    expect(published.map((record) => record.repeated?.count)).toEqual([undefined, 3]);
    refuse('a', 3);
    vi.advanceTimersByTime(1999);
    expect(published).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(published.map((record) => record.repeated?.count)).toEqual([undefined, 3, 3]);
    refuse('a', 2);
    vi.advanceTimersByTime(4000);
    refuse('a', 2);
    vi.advanceTimersByTime(4000);
    expect(published.map((record) => record.repeated?.count)).toEqual([undefined, 3, 3, 2, 2]);
    vi.advanceTimersByTime(4000);
    refuse('a', 1);
    expect(published).toHaveLength(6);
    expect(published[5]?.repeated).toBeUndefined();
  });

  it('publishes a lone repeat as itself, without a count', () => {
    refuse('a', 2);
    vi.advanceTimersByTime(1000);
    expect(published).toHaveLength(2);
    expect(published[1]?.repeated).toBeUndefined();
  });

  it('keeps kinds apart, and records kinds beyond the limit one by one rather than holding them', () => {
    refuse('a', 3);
    refuse('b', 3);
    refuse('c', 3);
    expect(published).toHaveLength(1 + 1 + 3);
    refusals.flush();
    expect(published.filter((record) => record.repeated).map((record) => record.repeated?.count)).toEqual([2, 2]);
  });

  it('flushes every open sum, and then holds nothing', () => {
    refuse('a', 4);
    refusals.flush();
    expect(published.map((record) => record.repeated?.count)).toEqual([undefined, 3]);
    vi.advanceTimersByTime(10_000);
    expect(published).toHaveLength(2);
  });
});
