// Taps that watch a body stream on its way through the proxy: they keep a bounded copy of
// the first bytes for the record and count every byte, without buffering or delaying the
// stream itself.
import { Readable, finished } from 'node:stream';
import { noteStreamedBytes } from '../proxy/streamed-buffers.js';

/** The first `limit` bytes of a body, and the size of the whole body. */
export class BodyCapture {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #total = 0;

  constructor(readonly limit: number) {}

  add(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#total += bytes.length;
    const room = this.limit - this.#kept;
    if (room <= 0 || bytes.length === 0) return;
    const piece = bytes.length <= room ? bytes : bytes.subarray(0, room);
    this.#chunks.push(piece);
    this.#kept += piece.length;
  }

  get totalBytes(): number {
    return this.#total;
  }

  get truncated(): boolean {
    return this.#total > this.#kept;
  }

  bytes(): Buffer {
    // Most bodies the proxy sees arrive in one chunk: no copy then (chunks are never written to after they pass).
    return this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#kept);
  }
}

/**
 * A stream that hands on the request body exactly as it arrives, copying into `capture`.
 * It starts reading the request only when its own reader asks (a 'data' listener on the
 * request any earlier would let the body flow before the forwarder is ready for it), and
 * pauses the request whenever its reader applies backpressure.
 */
export class RequestBodyTap extends Readable {
  readonly #source: Readable;
  readonly #capture: BodyCapture;
  #started = false;

  constructor(source: Readable, capture: BodyCapture) {
    super();
    this.#source = source;
    this.#capture = capture;
  }

  override _read(): void {
    if (this.#started) {
      this.#source.resume();
      return;
    }
    this.#started = true;
    this.#source.on('data', this.#onData);
    this.#source.once('end', () => this.push(null));
    finished(this.#source, { writable: false }, (error) => {
      if (error && !this.destroyed) this.destroy(error);
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#source.off('data', this.#onData);
    callback(error);
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#capture.add(chunk);
    noteStreamedBytes(chunk.length);
    if (!this.push(chunk)) this.#source.pause();
  };
}

/** Counts and copies a response body as it streams to the client; the stream is neither consumed nor paused. */
export function observeBody(body: Readable, capture: BodyCapture): void {
  body.on('data', (chunk: Buffer | string) => capture.add(chunk));
}
