import type { RecordJson } from '../record-bytes.js';
import type { TrafficRecord } from '../record.js';

/**
 * Where finished records go (the traffic file, the console, the inspector's ring, ...). The
 * recorder builds each record once and hands it to every sink in turn; a sink never builds
 * or edits records. Adding an output means adding a sink and listing it in startInstance.
 */
export interface RecordSink {
  readonly name: string;
  /** `json` holds the pieces of the record's JSON text, serialised once for every sink; a sink never changes them. */
  write(record: TrafficRecord, json: RecordJson): void;
  /** Merged into the recorder's part of GET /__proxy/status. */
  status?(): Record<string, unknown>;
  /** Writes out what it holds when the proxy stops; runs after the last record was written. */
  close?(): void | Promise<void>;
}
