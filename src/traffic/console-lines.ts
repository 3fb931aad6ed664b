// The console line of each exchange. On a terminal, a batch sync would print thousands of
// lines a second: nobody can read them, and formatting them for the terminal cost the proxy
// a sixth of its throughput. There, ordinary answers beyond a readable rate are summed up
// once a second; anything worth a look (an error, a hint, an aborted exchange) keeps its
// own line (findings of the API document's checks too), and every exchange stays in the traffic file and the inspector.
import { writeConsoleLine, type ConsoleLogger } from './console.js';
import type { TrafficRecord } from './record.js';

/** Ordinary exchanges shown one by one per second on a terminal before the rest are summed up. */
export const LINES_PER_SECOND = 20;
const WINDOW_MS = 1000;

export interface ConsoleLinesOptions {
  /** Sum up bursts (a terminal); otherwise every exchange gets its line (log collectors read them all). */
  readonly summarise: boolean;
  /** Where the records are, for the summary line. */
  readonly trafficDir: string;
}

export class ConsoleLines {
  #windowStart = 0;
  #shown = 0;
  #hidden = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: ConsoleLogger,
    private readonly options: ConsoleLinesOptions,
  ) {}

  write(record: TrafficRecord): void {
    if (!this.options.summarise || worthALook(record) || this.logger.isLevelEnabled('debug')) {
      writeConsoleLine(this.logger, record);
      return;
    }
    const now = Date.now();
    if (now - this.#windowStart >= WINDOW_MS) {
      this.flush();
      this.#windowStart = now;
      this.#shown = 0;
    }
    if (this.#shown < LINES_PER_SECOND) {
      this.#shown++;
      writeConsoleLine(this.logger, record);
      return;
    }
    const statusClass = `${Math.floor(record.status / 100)}xx`;
    this.#hidden.set(statusClass, (this.#hidden.get(statusClass) ?? 0) + 1);
    this.#timer ??= setTimeout(() => this.flush(), this.#windowStart + WINDOW_MS - now).unref();
  }

  /** Prints the summary of what was held back, if anything. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#hidden.size === 0) return;
    const counts = [...this.#hidden].map(([statusClass, count]) => `${count.toLocaleString('en-US')} x ${statusClass}`);
    const total = [...this.#hidden.values()].reduce((sum, count) => sum + count, 0);
    this.#hidden = new Map();
    this.logger.info(
      { moreExchanges: total },
      `... and ${total.toLocaleString('en-US')} more exchanges (${counts.join(', ')}) not listed here: every one is in ${this.options.trafficDir} and the inspector at /__proxy/`,
    );
  }
}

function worthALook(record: TrafficRecord): boolean {
  return record.status === 0 || record.status >= 400 || record.error !== undefined || record.aborted === true || record.hint !== undefined || record.findings !== undefined;
}
