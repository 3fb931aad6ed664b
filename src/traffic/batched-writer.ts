import { forgetOnExit, writeOutOnExit } from './write-out-on-exit.js';

/** What a batched writer needs of a sonic-boom destination (pino.destination) in text mode. */
export interface BatchDestination {
  write(chunk: string): boolean;
  flush(callback?: (error?: Error) => void): void;
  /** Writes everything buffered before returning (sonic-boom's flushSync). */
  flushSync?(): void;
  end(): void;
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

// How long lines gather before they go to the destination as one write.
const BATCH_INTERVAL_MS = 10;

/**
 * Collects what is written during BATCH_INTERVAL_MS and hands it to the destination as one
 * write. Each write is measured, copied and queued on its own, and costs a file write, a
 * thread-pool hand-off and a wake-up: per line, or even per event-loop turn, that is over a
 * thousand a second for the console. A line reaches the disk at most BATCH_INTERVAL_MS later;
 * on exit pending lines are handed over before pino's final flush. (The traffic file has a
 * writer of its own, append-writer.ts, that writes the records' bytes without joining them.)
 */
export class BatchedWriter {
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #destroyed = false;

  constructor(readonly destination: BatchDestination) {
    writeOutOnExit(this);
    destination.once('close', () => forgetOnExit(this));
  }

  /** pino calls this with complete lines. */
  write(chunk: string): boolean {
    if (this.#destroyed) return false;
    this.#pending.push(chunk);
    this.#timer ??= setTimeout(this.#writePending, BATCH_INTERVAL_MS).unref();
    return true;
  }

  /** What pino's logger.flush() calls: pending lines out, then the destination's buffer. */
  flush(callback?: (error?: Error) => void): void {
    this.#writePending();
    this.destination.flush(callback);
  }

  /** Hands pending lines over and closes the destination once its buffer is written. */
  end(): void {
    this.#writePending();
    this.destination.end();
  }

  /** Gives the destination every pending line now. */
  handOver(): void {
    this.#writePending();
  }

  /** Hands pending lines over and writes them out before returning: for the process's last moments. */
  flushSync(): void {
    if (this.#destroyed) return;
    this.#writePending();
    try {
      this.destination.flushSync?.();
    } catch {
      // A destination that cannot be written any more (a closed pipe, a full disk) loses its lines; the exit goes on.
    }
  }

  /**
   * Drops pending lines and destroys the destination without writing its buffer: for a
   * destination that failed. A destroyed sonic-boom throws on write, so nothing may reach it
   * afterwards, not the pending timer nor the hand-over on exit.
   */
  destroy(): void {
    this.#destroyed = true;
    this.#pending = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
    forgetOnExit(this);
    this.destination.destroy();
  }

  readonly #writePending = (): void => {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const chunks = this.#pending;
    if (chunks.length === 0) return;
    this.#pending = [];
    this.destination.write(chunks.length === 1 ? (chunks[0] as string) : chunks.join(''));
  };
}
