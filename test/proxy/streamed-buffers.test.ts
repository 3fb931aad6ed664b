// A long stream's dead buffers are collected once they pile up, whatever V8's heuristics
// would have done: the proxy's memory and speed during a download must not depend on how
// large earlier load made the young generation. Measured as the young-generation GCs that
// were asked for (V8 flags them as forced), since when V8 frees the buffers' memory after a
// GC is up to its background sweeper.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { noteStreamedBytes } from '../../src/proxy/streamed-buffers.js';

const CHUNK = 16 * 1024;
const STREAMED = 256 * 1024 * 1024;

async function forcedYoungGcsDuring(stream: () => void): Promise<number> {
  let forced = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as PerformanceEntry & { detail: { kind: number; flags: number } };
      if (detail.kind === constants.NODE_PERFORMANCE_GC_MINOR && (detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0) forced++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  stream();
  // GC entries are delivered on a later turn.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return forced;
}

describe('buffers of a long stream', () => {
  it('are collected every few tens of MB when each chunk is a new buffer, as socket reads are', async () => {
    const forced = await forcedYoungGcsDuring(() => {
      for (let streamed = 0; streamed < STREAMED; streamed += CHUNK) noteStreamedBytes(Buffer.allocUnsafe(CHUNK).length);
    });
    // At most one per 8 MB of dead buffers; at least a few over 256 MB.
    expect(forced).toBeGreaterThanOrEqual(4);
    expect(forced).toBeLessThanOrEqual(STREAMED / (8 * 1024 * 1024));
  });

  it('cost nothing while no dead buffers pile up', async () => {
    const reused = Buffer.allocUnsafe(CHUNK);
    const forced = await forcedYoungGcsDuring(() => {
      for (let streamed = 0; streamed < STREAMED; streamed += CHUNK) noteStreamedBytes(reused.length);
    });
    expect(forced).toBe(0);
  });
});
