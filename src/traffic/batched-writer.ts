import type pino from 'pino';

type Destination = ReturnType<typeof pino.destination>;

// pino flushes its destinations synchronously on exit; lines still waiting here must reach
// them first, so this listener goes in front of pino's.
const open = new Set<BatchedWriter>();
let exitListening = false;
function handOverOnExit(writer: BatchedWriter): void {
  open.add(writer);
  if (exitListening) return;
  exitListening = true;
  process.prependListener('exit', () => {
    for (const each of open) each.handOver();
  });
}

/**
 * Collects the lines written during one turn of the event loop and hands them to the
 * destination as one write. Under load many exchanges end in the same turn, and one write
 * per line (each measured, copied and queued on its own) was a fifth of the proxy's time;
 * when idle a line still goes out at the end of its turn, so nothing waits for a timer.
 */
export class BatchedWriter {
  #pending: string[] = [];
  #scheduled = false;

  constructor(readonly destination: Destination) {
    handOverOnExit(this);
    destination.once('close', () => open.delete(this));
  }

  /** pino and the traffic file call this with one complete line. */
  write(line: string): boolean {
    this.#pending.push(line);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#writePending);
    }
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

  readonly #writePending = (): void => {
    this.#scheduled = false;
    const lines = this.#pending;
    if (lines.length === 0) return;
    this.#pending = [];
    this.destination.write(lines.length === 1 ? (lines[0] as string) : lines.join(''));
  };
}
