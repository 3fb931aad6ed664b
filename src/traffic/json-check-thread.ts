// Large JSON bodies are checked on a thread of their own, so that no single body holds the
// event loop that also forwards for more than about a quarter of a millisecond. Measured in
// process on this project's shared 2-core VM (bench/json-check-row.ts): the check takes ~1.2 ns
// per byte (50 KB: ~60 us, 128 KB: ~0.17 ms, 256 KB: ~0.34 ms, 1 MB: ~1.3 ms), so bodies below
// OFF_THREAD_BYTES are checked where they are, which also spares the thread's share of two cores.
//
// The hand-off copies the body: the caller keeps using its bytes (often the very chunk that was
// streamed through), so they cannot be moved to the thread. The copy goes into a buffer the
// thread gave back: a freshly allocated one costs this VM ~3 ns per byte in page faults (50 KB:
// ~150 us, 256 KB: ~0.8 ms, more than the check; this, not the message, was most of the ~50 us
// per exchange the profile showed), one already mapped ~0.02 ns. The hand-off then costs the
// event loop ~10-20 us for a body of a few hundred KB, ~50-150 us for 1 MB.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CheckAnswer, CheckRequest } from './json-check-worker.js';
import { checkWhole, type JsonTextVerdict } from './json-text.js';

/** From this size on, a body is checked on the thread: the check of a smaller one takes at most ~0.25 ms on the event loop. */
export const OFF_THREAD_BYTES = 192 * 1024;

/** The thread's buffers kept to carry the next bodies: at most this many, of at most SPARE_BUFFER_MAX_BYTES each. */
const SPARE_BUFFERS = 2;
const SPARE_BUFFER_MAX_BYTES = 4 * 1024 * 1024;

interface Waiting {
  readonly bytes: Uint8Array;
  readonly resolve: (verdict: JsonTextVerdict) => void;
}

// Beside this module once built (dist/traffic, or dist/cli for the bundle); the sources run
// in tests through vitest, and then the built worker is the one in dist/.
const WORKER_FILES = [new URL('./json-check-worker.js', import.meta.url), new URL('../../dist/traffic/json-check-worker.js', import.meta.url)];

/**
 * One recording pipeline's check thread: started with the first large body, ended when the
 * pipeline closes. When it cannot start or stops, `onUnavailable` is told once, with the
 * reason, and checks run on the event loop from then on.
 */
export class JsonCheckThread {
  readonly #onUnavailable: (reason: string) => void;
  readonly #spareBuffers: ArrayBuffer[] = [];
  readonly #waiting = new Map<number, Waiting>();
  #worker: Worker | undefined;
  #unavailable: string | undefined;
  #nextId = 0;
  #checked = 0;

  constructor(onUnavailable: (reason: string) => void) {
    this.#onUnavailable = onUnavailable;
  }

  /** How many bodies the thread has checked (for /__proxy/status). */
  get checked(): number {
    return this.#checked;
  }

  /** The verdict over `bytes` from the thread, or undefined when there is none (the caller checks them itself). */
  check(bytes: Uint8Array): Promise<JsonTextVerdict> | undefined {
    const thread = this.#worker ?? this.#start();
    if (!thread) return undefined;
    const copy = this.#transferableCopy(bytes);
    const id = this.#nextId++;
    // While a check is out the thread keeps the process alive, or a record could be lost at exit.
    if (this.#waiting.size === 0) thread.ref();
    return new Promise((resolve) => {
      this.#waiting.set(id, { bytes, resolve });
      thread.postMessage({ id, bytes: copy } satisfies CheckRequest, [copy.buffer as ArrayBuffer]);
    });
  }

  /** Ends the thread; a check still out is answered on the event loop first. */
  async close(): Promise<void> {
    const thread = this.#worker;
    this.#giveUp('the recording pipeline closed', false);
    await thread?.terminate();
  }

  /** The bytes in a buffer of their own that can be moved to the thread: a spare one when it is large enough. */
  #transferableCopy(bytes: Uint8Array): Uint8Array {
    const spare = this.#spareBuffers.findIndex((buffer) => buffer.byteLength >= bytes.length);
    // Powers of two, so that a buffer serves the bodies of about its size that come after.
    const buffer = spare === -1 ? new ArrayBuffer(bytes.length <= SPARE_BUFFER_MAX_BYTES ? 2 ** Math.ceil(Math.log2(bytes.length)) : bytes.length) : (this.#spareBuffers.splice(spare, 1)[0] as ArrayBuffer);
    const copy = new Uint8Array(buffer, 0, bytes.length);
    copy.set(bytes);
    return copy;
  }

  /** Keeps the largest buffers up to the limit, so that a run of large bodies is not carried in fresh ones. */
  #keepSpare(buffer: ArrayBuffer): void {
    if (buffer.byteLength > SPARE_BUFFER_MAX_BYTES) return;
    this.#spareBuffers.push(buffer);
    this.#spareBuffers.sort((a, b) => b.byteLength - a.byteLength);
    if (this.#spareBuffers.length > SPARE_BUFFERS) this.#spareBuffers.pop();
  }

  #start(): Worker | undefined {
    if (this.#unavailable !== undefined) return undefined;
    const file = WORKER_FILES.find((url) => existsSync(fileURLToPath(url)));
    if (!file) {
      this.#giveUp(`json-check-worker.js is not beside ${fileURLToPath(import.meta.url)}`);
      return undefined;
    }
    let started: Worker;
    try {
      started = new Worker(file);
    } catch (error) {
      const refused = (error as Error & { code?: string }).code === 'ERR_ACCESS_DENIED';
      this.#giveUp(refused ? `${(error as Error).message}: under Node's permission model, add --allow-worker` : (error as Error).message);
      return undefined;
    }
    started.unref();
    started.on('message', ({ id, verdict, bytes }: CheckAnswer) => {
      this.#keepSpare(bytes.buffer as ArrayBuffer);
      const entry = this.#waiting.get(id);
      if (!entry) return;
      this.#waiting.delete(id);
      this.#checked++;
      if (this.#waiting.size === 0) started.unref();
      entry.resolve(verdict);
    });
    started.on('error', (error) => this.#giveUp(error.message));
    started.on('exit', (code) => this.#giveUp(`it exited with code ${code}`));
    this.#worker = started;
    return started;
  }

  /** The bodies still waiting are checked here, so each keeps its record. */
  #giveUp(reason: string, tell = true): void {
    if (this.#unavailable !== undefined) return;
    this.#unavailable = reason;
    this.#worker = undefined;
    for (const { bytes, resolve } of this.#waiting.values()) resolve(checkWhole(bytes));
    this.#waiting.clear();
    if (tell) this.#onUnavailable(reason);
  }
}
