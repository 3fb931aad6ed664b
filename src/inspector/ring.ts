import type { TrafficMessage, TrafficRecord } from '../traffic/index.js';

// Records can carry up to ONS_PROXY_LOG_BODY_LIMIT per body; 500 of them could then take a
// gigabyte. The ring also stops at this many (estimated) bytes, dropping the oldest first.
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const RECORD_OVERHEAD_BYTES = 2048;

/**
 * The most recent records, oldest first, bounded by count and by memory. Dropping the
 * oldest only moves a start index (the array is compacted now and then), so a push costs
 * the same with 500 records held as with 5.
 */
export class RecordRing {
  // Slots before #start are dropped records, emptied so their memory goes at once.
  #records: (TrafficRecord | undefined)[] = [];
  #sizes: number[] = [];
  #start = 0;
  #bytes = 0;

  constructor(
    readonly limit: number,
    readonly maxBytes: number = DEFAULT_MAX_BYTES,
  ) {}

  push(record: TrafficRecord): void {
    const size = sizeOf(record);
    this.#records.push(record);
    this.#sizes.push(size);
    this.#bytes += size;
    this.#trim();
  }

  /** Adds records that are older than everything held (those read back from the file at start). */
  addOlder(records: readonly TrafficRecord[]): void {
    const held = this.all();
    const known = new Set(held.map((record) => record.id));
    const older = records.filter((record) => !known.has(record.id)).slice(-this.limit);
    this.#records = [...older, ...held];
    this.#sizes = this.#records.map((record) => (record ? sizeOf(record) : 0));
    this.#start = 0;
    this.#bytes = this.#sizes.reduce((sum, size) => sum + size, 0);
    this.#trim();
  }

  get(id: string): TrafficRecord | undefined {
    for (let index = this.#records.length - 1; index >= this.#start; index--) {
      const record = this.#records[index];
      if (record?.id === id) return record;
    }
    return undefined;
  }

  /** Oldest first. */
  all(): readonly TrafficRecord[] {
    return this.#records.slice(this.#start).filter((record) => record !== undefined);
  }

  get size(): number {
    return this.#records.length - this.#start;
  }

  get bytes(): number {
    return this.#bytes;
  }

  #trim(): void {
    while (this.size > this.limit || (this.#bytes > this.maxBytes && this.size > 1)) {
      this.#bytes -= this.#sizes[this.#start] ?? 0;
      this.#records[this.#start] = undefined;
      this.#start++;
    }
    if (this.#start > this.limit) {
      this.#records = this.#records.slice(this.#start);
      this.#sizes = this.#sizes.slice(this.#start);
      this.#start = 0;
    }
  }
}

function sizeOf(record: TrafficRecord): number {
  return RECORD_OVERHEAD_BYTES + messageSize(record.request) + messageSize(record.response);
}

function messageSize(message: TrafficMessage): number {
  if (message.body === undefined) return 0;
  // A string body costs its length; a parsed JSON value roughly what it took on the wire.
  return typeof message.body === 'string' ? message.body.length : message.bodyBytes;
}
