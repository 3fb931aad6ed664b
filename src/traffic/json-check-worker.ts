// The thread that checks large JSON bodies (see json-check-thread.ts): it answers each
// message with the verdict of JsonTextCheck over the bytes it was handed.
import { parentPort } from 'node:worker_threads';
import { checkWhole, type JsonTextVerdict } from './json-text.js';

export interface CheckRequest {
  readonly id: number;
  /** The body, at the start of a buffer that may be larger (a spare one, reused). */
  readonly bytes: Uint8Array;
}

export interface CheckAnswer {
  readonly id: number;
  readonly verdict: JsonTextVerdict;
  /** The bytes handed over, given back with their buffer to carry a later body. */
  readonly bytes: Uint8Array;
}

parentPort?.on('message', ({ id, bytes }: CheckRequest) => {
  // The bytes go back with the verdict, to carry the next body: this thread allocates almost
  // nothing, so its GC would seldom run, and the bodies handed to it would pile up outside its heap.
  parentPort?.postMessage({ id, verdict: checkWhole(bytes), bytes } satisfies CheckAnswer, [bytes.buffer as ArrayBuffer]);
});
