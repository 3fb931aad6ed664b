// Seeded numbers: the same seed and request give the same answer bytes on every run.
import { createHash } from 'node:crypto';

export type Random = () => number;

/** mulberry32 over a 32-bit seed taken from a hash of the parts: a fast, well-spread generator. */
export function seededRandom(...parts: ReadonlyArray<string | number>): Random {
  let state = createHash('sha256').update(parts.join('\u0000')).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
