// Appends the traffic file's lines with one vectored write per batch. The record bytes go to
// the disk as the buffers they are: a batch is not joined into one new buffer first. On this
// project's machines a fresh buffer of a few hundred KB costs more in page faults than the
// copy into it, and a batch of 50 KB answers is that size every 10 ms.
//
// On exit what is still pending is written synchronously (write-out-on-exit.ts).
import fs from 'node:fs';
import { forgetOnExit, writeOutOnExit } from './write-out-on-exit.js';

// How long lines gather before they go out in one write: a thread-pool hand-off per record
// would be over a thousand a second.
const BATCH_INTERVAL_MS = 10;
// Linux's IOV_MAX: the most buffers one writev takes.
const MAX_BUFFERS_PER_WRITE = 1024;

export interface AppendWriterEvents {
  /** A write failed: what is pending stays pending (and is dropped past the limit). Said for every failure; the caller decides how often to tell. */
  readonly onError: (error: Error) => void;
}

const NEWLINE = Buffer.from('\n');

export class AppendWriter {
  readonly #fd: number;
  readonly #maxPendingBytes: number;
  readonly #events: AppendWriterEvents;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #writing = false;
  /** How many of the pending buffers the write under way took (they stay pending until it is done). */
  #inFlight = 0;
  #ending: (() => void) | undefined;
  #destroyed = false;
  #closed = false;

  /** Takes over `fd` (opened for appending) and closes it when ended. */
  constructor(fd: number, maxPendingBytes: number, events: AppendWriterEvents) {
    this.#fd = fd;
    this.#maxPendingBytes = maxPendingBytes;
    this.#events = events;
    writeOutOnExit(this);
  }

  /**
   * Queues the pieces of `line` and a line break; they must not be changed afterwards (it is written as
   * it is, later). False when it was dropped: the disk kept refusing writes and what waits
   * for it passed the limit.
   */
  writeLine(line: readonly Buffer[]): boolean {
    if (this.#closed || this.#destroyed) throw new Error('the traffic file was closed');
    let length = 1;
    for (const piece of line) length += piece.length;
    if (this.#pendingBytes + length > this.#maxPendingBytes) return false;
    for (const piece of line) this.#pending.push(piece);
    this.#pending.push(NEWLINE);
    this.#pendingBytes += length;
    if (!this.#writing) this.#timer ??= setTimeout(this.#writePending, BATCH_INTERVAL_MS).unref();
    return true;
  }

  /** Writes what is pending, then closes the file. */
  end(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#ending = resolve;
      clearTimeout(this.#timer);
      this.#timer = undefined;
      if (!this.#writing) this.#writePending();
    });
  }

  /** Gives up what is pending and closes the file: for a file that keeps failing. */
  destroy(): void {
    this.#destroyed = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (!this.#writing) this.#close();
  }

  /**
   * Writes everything pending before returning: for the process's last moments. A write under
   * way is left to finish on its own, as sonic-boom does: writing its lines again here would
   * record those exchanges twice.
   */
  flushSync(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = this.#pending.slice(this.#inFlight);
    try {
      while (waiting.length > 0) {
        let written = fs.writevSync(this.#fd, waiting.slice(0, MAX_BUFFERS_PER_WRITE));
        while (waiting.length > 0 && written >= (waiting[0] as Buffer).length) written -= (waiting.shift() as Buffer).length;
        if (written > 0) waiting[0] = (waiting[0] as Buffer).subarray(written);
      }
    } catch {
      // A file that cannot be written any more (a full disk) loses its lines; the exit goes on.
    }
  }

  readonly #writePending = (): void => {
    this.#timer = undefined;
    if (this.#closed) return;
    if (this.#pending.length === 0) {
      if (this.#ending) this.#close();
      return;
    }
    this.#writing = true;
    const batch = this.#pending.slice(0, MAX_BUFFERS_PER_WRITE);
    this.#inFlight = batch.length;
    fs.writev(this.#fd, batch, (error, written) => {
      this.#writing = false;
      this.#inFlight = 0;
      if (this.#destroyed) {
        this.#close();
        return;
      }
      if (error) {
        this.#events.onError(error);
        // Retried with the next batch (or dropped on ending): a failing disk must not spin.
        if (this.#ending) this.destroy();
        else this.#timer ??= setTimeout(this.#writePending, BATCH_INTERVAL_MS).unref();
        return;
      }
      this.#wrote(written);
      if (this.#ending) this.#writePending();
      else if (this.#pending.length > 0) this.#timer ??= setTimeout(this.#writePending, BATCH_INTERVAL_MS).unref();
    });
  };

  /** Drops the first `bytes` from what is pending (a write can take part of a buffer). */
  #wrote(bytes: number): void {
    let left = bytes;
    this.#pendingBytes -= bytes;
    let done = 0;
    while (done < this.#pending.length && left >= (this.#pending[done] as Buffer).length) {
      left -= (this.#pending[done] as Buffer).length;
      done++;
    }
    this.#pending = this.#pending.slice(done);
    const first = this.#pending[0];
    if (left > 0 && first) this.#pending[0] = first.subarray(left);
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    forgetOnExit(this);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    fs.close(this.#fd, () => {
      const ending = this.#ending;
      this.#ending = undefined;
      ending?.();
    });
  }
}
