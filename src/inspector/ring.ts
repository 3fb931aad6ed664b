import type { TrafficMessage, TrafficRecord } from '../traffic/index.js';

// Records can carry up to ONS_PROXY_LOG_BODY_LIMIT per body; 500 of them could then take a
// gigabyte. The ring also stops at this many (estimated) bytes, dropping the oldest first.
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const RECORD_OVERHEAD_BYTES = 2048;

/** The most recent records, oldest first, bounded by count and by memory. */
export class RecordRing {
  readonly #records: TrafficRecord[] = [];
  readonly #sizes = new Map<string, number>();
  #bytes = 0;

  constructor(
    readonly limit: number,
    readonly maxBytes: number = DEFAULT_MAX_BYTES,
  ) {}

  push(record: TrafficRecord): void {
    this.#records.push(record);
    this.#account(record);
    this.#trim();
  }

  /** Adds records that are older than everything held (those read back from the file at start). */
  addOlder(records: readonly TrafficRecord[]): void {
    const known = new Set(this.#records.map((record) => record.id));
    const older = records.filter((record) => !known.has(record.id)).slice(-this.limit);
    this.#records.unshift(...older);
    for (const record of older) this.#account(record);
    this.#trim();
  }

  get(id: string): TrafficRecord | undefined {
    return this.#records.find((record) => record.id === id);
  }

  /** Oldest first. */
  all(): readonly TrafficRecord[] {
    return this.#records;
  }

  get size(): number {
    return this.#records.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  #account(record: TrafficRecord): void {
    const size = RECORD_OVERHEAD_BYTES + messageSize(record.request) + messageSize(record.response);
    this.#sizes.set(record.id, size);
    this.#bytes += size;
  }

  #trim(): void {
    while (this.#records.length > this.limit || (this.#bytes > this.maxBytes && this.#records.length > 1)) {
      const dropped = this.#records.shift();
      if (!dropped) return;
      this.#bytes -= this.#sizes.get(dropped.id) ?? 0;
      this.#sizes.delete(dropped.id);
    }
  }
}

function messageSize(message: TrafficMessage): number {
  if (message.body === undefined) return 0;
  // A string body costs its length; a parsed JSON value roughly what it took on the wire.
  return typeof message.body === 'string' ? message.body.length : message.bodyBytes;
}
