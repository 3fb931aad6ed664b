// Keeps the buffers of a long stream from piling up between garbage collections.
//
// Every read from a socket is a new Buffer outside V8's heap (16 KB per TLS record), freed
// only when a young-generation GC finds its small handle dead. A stream allocates almost
// nothing else on the heap, so those GCs come from V8's own heuristics: often while the
// young generation is small (a fresh proxy), rarely once JSON load has grown it to its
// maximum. Then tens of MB of dead buffers wait and V8 answers their "external memory
// pressure" with frequent mark-compacts, which slow a long download and raise its RSS.
// Asking for a young-generation GC once 8 MB has piled up keeps the stream at the speed of
// a fresh proxy, and its RSS lower.
import v8 from 'node:v8';
import vm from 'node:vm';

// How often the pile is looked at, and how much dead buffer memory may wait for a GC.
const CHECK_EVERY_BYTES = 2 * 1024 * 1024;
const MAX_WAITING_BYTES = 8 * 1024 * 1024;

type CollectGarbage = (options: { type: 'minor' }) => void;

let sinceCheck = 0;
// The lowest external memory seen since the last collection asked for: what is above it is mostly dead buffers.
let floor = Number.POSITIVE_INFINITY;
let collectYoung: CollectGarbage | undefined;

/** Counts bytes streamed through the proxy (either direction) and collects their dead buffers when they pile up. */
export function noteStreamedBytes(bytes: number): void {
  sinceCheck += bytes;
  if (sinceCheck < CHECK_EVERY_BYTES) return;
  sinceCheck = 0;
  const external = v8.getHeapStatistics().external_memory;
  floor = Math.min(floor, external);
  if (external - floor < MAX_WAITING_BYTES) return;
  (collectYoung ??= youngCollector())({ type: 'minor' });
  floor = v8.getHeapStatistics().external_memory;
}

/**
 * V8's gc() without starting Node with --expose-gc (which every launcher would have to
 * pass): the flag set at run time exposes gc() in contexts created after it. Only
 * noteStreamedBytes calls it, and only during a long stream.
 */
function youngCollector(): CollectGarbage {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as CollectGarbage;
}
