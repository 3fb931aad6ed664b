import type { TrafficRecord } from '../traffic/index.js';
import type { RecordText } from './restore.js';
import { TextSlabs } from './text-slabs.js';

// Records can carry up to ONS_PROXY_LOG_BODY_LIMIT per body; 500 of them could then take a
// gigabyte. The ring also stops at this many bytes of record text, dropping the oldest first:
// 500 records of a 50 KB Ons list page fit, and the proxy stays within the 150 MB it promises
// under back-to-back large downloads (each record then holds 1.4 MB of base64). Every
// record is in the traffic file, whatever the ring dropped.
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * The most recent records, oldest first, bounded by count and by memory. Dropping the
 * oldest only moves a start index (the array is compacted now and then), so a push costs
 * the same with 500 records held as with 5.
 *
 * Records are held as the bytes of their JSON text (the recorder's, which the traffic
 * file got too), outside V8's heap, and parsed again when the inspector asks for them.
 * Every record arrives young: as objects, or even as one string, each was copied by the
 * next young-generation GC and again when promoted, and at a few thousand exchanges a
 * second that tripled the pauses the proxied exchanges wait through. Of a Buffer, the GC
 * moves only the small handle. The bytes are copied into reused slabs (text-slabs.ts): a
 * buffer per record, kept this long, made V8 run a mark-compact every ~1,500 exchanges.
 */
export class RecordRing {
  // Slots before #start are dropped records, emptied so their memory goes at once.
  #ids: (string | undefined)[] = [];
  #texts: (Buffer | undefined)[] = [];
  #start = 0;
  #bytes = 0;
  readonly #slabs = new TextSlabs();

  constructor(
    readonly limit: number,
    readonly maxBytes: number = DEFAULT_MAX_BYTES,
  ) {}

  /** `json` holds the record's JSON text (or its pieces), as written to the traffic file. */
  push(id: string, json: Buffer | readonly Buffer[]): void {
    const stored = this.#slabs.store(Buffer.isBuffer(json) ? [json] : json);
    this.#ids.push(id);
    this.#texts.push(stored);
    this.#bytes += stored.length;
    this.#trim();
  }

  /** Adds records that are older than everything held (those read back from the file at start). */
  addOlder(records: readonly RecordText[]): void {
    const heldIds = this.#ids.slice(this.#start) as string[];
    const heldTexts = this.#texts.slice(this.#start) as Buffer[];
    const known = new Set(heldIds);
    const older = records.filter((record) => !known.has(record.id)).slice(-this.limit);
    this.#ids = [...older.map((record) => record.id), ...heldIds];
    this.#texts = [...older.map((record) => record.json), ...heldTexts];
    this.#start = 0;
    this.#bytes = this.#texts.reduce((sum, text) => sum + (text?.length ?? 0), 0);
    this.#trim();
  }

  get(id: string): TrafficRecord | undefined {
    return parse(this.text(id));
  }

  /** The record's JSON text as held: a JSON body in it is the body's own text. */
  text(id: string): Buffer | undefined {
    for (let index = this.#ids.length - 1; index >= this.#start; index--) {
      if (this.#ids[index] === id) return this.#texts[index];
    }
    return undefined;
  }

  /** Oldest first. */
  all(): TrafficRecord[] {
    const records: TrafficRecord[] = [];
    for (let index = this.#start; index < this.#texts.length; index++) {
      const record = parse(this.#texts[index]);
      if (record) records.push(record);
    }
    return records;
  }

  get size(): number {
    return this.#ids.length - this.#start;
  }

  get bytes(): number {
    return this.#bytes;
  }

  #trim(): void {
    while (this.size > this.limit || (this.#bytes > this.maxBytes && this.size > 1)) {
      const dropped = this.#texts[this.#start];
      if (dropped) {
        this.#bytes -= dropped.length;
        this.#slabs.release(dropped);
      }
      this.#ids[this.#start] = undefined;
      this.#texts[this.#start] = undefined;
      this.#start++;
    }
    if (this.#start > this.limit) {
      this.#ids = this.#ids.slice(this.#start);
      this.#texts = this.#texts.slice(this.#start);
      this.#start = 0;
    }
  }
}

function parse(text: Buffer | undefined): TrafficRecord | undefined {
  return text === undefined ? undefined : (JSON.parse(text.toString('utf8')) as TrafficRecord);
}
