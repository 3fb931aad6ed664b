// After a restart the inspector shows today's earlier exchanges of its profile, read back
// from the end of today's traffic file. Each line is kept as the bytes it is (the record as
// the recorder wrote it, a JSON body as it arrived), like the records the ring gets live.
//
// The file is read backwards in chunks, and the part of a line not yet whole is kept as a
// list of chunks, joined once: a line is read once, whatever its length. A line longer than
// the bound (a body recorded with --capture-full) is passed over without being held; it stays
// in the file for `ons-proxy logs` and the history search.
import { open } from 'node:fs/promises';
import { parseRecordLine } from '../traffic/reader.js';
import type { TrafficRecord } from '../traffic/record.js';

export interface RecordText {
  readonly id: string;
  /** The record's line, without its line break. */
  readonly json: Buffer;
}

export interface Restored {
  /** Oldest first. */
  readonly records: RecordText[];
  /** Lines passed over because they were longer than the bound. */
  readonly tooLong: number;
}

const CHUNK_BYTES = 1024 * 1024;
/** Longer lines are not read back: the ring's whole budget would go to a few of them. */
export const MAX_RESTORED_LINE_BYTES = 16 * 1024 * 1024;

export async function restoreLastRecords(file: string, count: number, accept: (record: Pick<TrafficRecord, 'id' | 'profile'>) => boolean, maxLineBytes = MAX_RESTORED_LINE_BYTES): Promise<Restored> {
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { records: [], tooLong: 0 };
    const newestFirst: RecordText[] = [];
    let tooLong = 0;
    // The later part of the line being read, in file order, and whether it passed the bound.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let oversized = false;
    const finishLine = (head: Buffer): void => {
      if (oversized || pendingBytes + head.length > maxLineBytes) {
        if (pendingBytes + head.length > 0) tooLong++;
      } else if (pendingBytes + head.length > 0) {
        const line = pending.length === 0 ? head : Buffer.concat([head, ...pending]);
        const text = line.toString('utf8');
        const record = parseRecordLine(text) ?? olderRecord(text);
        if (record && accept(record)) newestFirst.push({ id: record.id, json: line });
      }
      pending = [];
      pendingBytes = 0;
      oversized = false;
    };
    let position = info.size;
    while (position > 0 && newestFirst.length < count) {
      const length = Math.min(CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      await handle.read(chunk, 0, length, position);
      let end = length;
      for (let lineBreak = chunk.lastIndexOf(0x0a, end - 1); lineBreak !== -1 && newestFirst.length < count; lineBreak = end > 0 ? chunk.lastIndexOf(0x0a, end - 1) : -1) {
        finishLine(chunk.subarray(lineBreak + 1, end));
        end = lineBreak;
      }
      if (newestFirst.length >= count) break;
      const head = chunk.subarray(0, end);
      if (oversized || pendingBytes + head.length > maxLineBytes) {
        oversized = true;
        pending = [];
        pendingBytes = 0;
      } else if (head.length > 0) {
        // Copied: the chunk's other lines are done with, and need not stay in memory with it.
        pending.unshift(Buffer.from(head));
        pendingBytes += head.length;
      }
      if (position === 0) finishLine(Buffer.alloc(0));
    }
    return { records: newestFirst.reverse(), tooLong };
  } finally {
    await handle.close();
  }
}

/**
 * A line the readers pass over (not every field of today's record, as an older version may
 * have written it) that still names its id and profile: the page shows it as its raw JSON
 * rather than losing it.
 */
function olderRecord(text: string): Pick<TrafficRecord, 'id' | 'profile'> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, profile } = value as { id?: unknown; profile?: unknown };
  return typeof id === 'string' && typeof profile === 'string' ? { id, profile } : undefined;
}
