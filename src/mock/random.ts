// Seeded numbers: the same seed and request give the same answer bytes on every run.
import { createHash } from 'node:crypto';

export type Random = () => number;

/** A seeded generator over a hash of the parts: the same seed and request give the same numbers. */
export function seededRandom(...parts: ReadonlyArray<string | number>): Random {
  return mulberry32(createHash('sha256').update(parts.join('\u0000')).digest().readUInt32LE(0));
}

/** mulberry32: a small, fast, well-spread generator over a 32-bit seed; Math.random cannot be replayed. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
