// The thread that checks large JSON bodies (see json-check-thread.ts): it answers each
// message with the verdict of JsonTextCheck over the bytes it was handed.
import { parentPort } from 'node:worker_threads';
import { checkWhole } from './json-text.js';

export interface CheckRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
}

parentPort?.on('message', ({ id, bytes }: CheckRequest) => {
  // The bytes go back with the verdict: this thread allocates almost nothing, so its GC would
  // seldom run, and the bodies handed to it would pile up outside its heap (~90 MB at 1,000 50 KB bodies a second).
  parentPort?.postMessage({ id, verdict: checkWhole(bytes), bytes }, [bytes.buffer as ArrayBuffer]);
});
