// The history search: the day files of the log folder, newest first, filtered with the box's
// query (the code of `ons-proxy logs`), a page at a time. Each file is read backwards in
// slices of whole lines; a page ends after enough matches or enough time, and says where the
// next one starts (a day and a byte offset), so a page never reads again what one before it
// read, the page can show how far the search got, and stopping is not asking for the next.
import { open } from 'node:fs/promises';
import { listTrafficFiles, readRecordFile, type TrafficFile } from '../traffic/reader.js';
import { localDay } from '../traffic/files.js';
import type { TrafficRecord } from '../traffic/record.js';
import type { BoxQuery } from './query-text.js';

const SLICE_BYTES = 4 * 1024 * 1024;
/** The first page reads in smaller slices, so that its first rows come back at once. */
const FIRST_SLICE_BYTES = 256 * 1024;
const PAGE_MS = 400;
const SEEK_BYTES = 64 * 1024;
/** A slice read to show one record found by the search: far more than a record without --capture-full. */
const MAX_AT_BYTES = 256 * 1024 * 1024;

export interface HistoryPage<T> {
  readonly matches: T[];
  /** Bytes of the day files in scope, and how many of them the search has read so far. */
  readonly totalBytes: number;
  readonly readBytes: number;
  /** Where the next page starts, or null at the end. */
  readonly next: string | null;
}

export interface HistoryRequest {
  readonly logDir: string;
  readonly query: BoxQuery;
  readonly cursor: string | undefined;
  readonly limit: number;
  /** Checked between slices: the page that asked went away. */
  readonly cancelled: () => boolean;
}

interface Sized extends TrafficFile {
  readonly size: number;
}

/** One page of matches, newest first, each with `at`: where it was found. */
export async function searchHistory<T>(request: HistoryRequest, present: (record: TrafficRecord, at: string) => T): Promise<HistoryPage<T>> {
  const started = Date.now();
  const firstDay = request.query.since ? localDay(new Date(request.query.since.getTime() - 86_400_000)) : undefined;
  const files: Sized[] = [];
  for (const file of (await listTrafficFiles(request.logDir)).reverse()) {
    if (firstDay !== undefined && file.day < firstDay) continue;
    const size = await fileSize(file.path);
    if (size > 0) files.push({ ...file, size });
  }
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  const [cursorDay, cursorEnd] = parseCursor(request.cursor);
  let index = cursorDay === undefined ? 0 : files.findIndex((file) => file.day === cursorDay);
  if (index === -1) index = files.length;
  let end = cursorEnd ?? files[index]?.size ?? 0;
  const matches: T[] = [];
  const remaining = (): number => end + files.slice(index + 1).reduce((sum, file) => sum + file.size, 0);
  while (index < files.length && matches.length < request.limit && Date.now() - started < PAGE_MS && !request.cancelled()) {
    const file = files[index] as Sized;
    const start = await lineStartAtOrBefore(file.path, Math.max(0, end - (request.cursor === undefined ? FIRST_SLICE_BYTES : SLICE_BYTES)));
    const found: T[] = [];
    const at = `${file.day}:${start}:${end}`;
    for await (const record of readRecordFile(file.path, { start, end, needles: request.query.needles })) {
      if (request.query.matches(record)) found.push(present(record, at));
    }
    matches.push(...found.reverse());
    end = start;
    if (end === 0) {
      index++;
      end = files[index]?.size ?? 0;
    }
  }
  const done = index >= files.length;
  return { matches, totalBytes, readBytes: totalBytes - (done ? 0 : remaining()), next: done ? null : `${files[index]?.day}:${end}` };
}

function parseCursor(cursor: string | undefined): [string | undefined, number | undefined] {
  const match = /^(\d{4}-\d{2}-\d{2}):(\d+)$/.exec(cursor ?? '');
  return match ? [match[1], Number(match[2])] : [undefined, undefined];
}

async function fileSize(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    return info.isFile() ? info.size : 0;
  } finally {
    await handle.close();
  }
}

/** The offset where the line holding byte `position` starts. */
async function lineStartAtOrBefore(file: string, position: number): Promise<number> {
  if (position === 0) return 0;
  const handle = await open(file, 'r');
  try {
    for (let end = position; end > 0; ) {
      const length = Math.min(SEEK_BYTES, end);
      const chunk = Buffer.allocUnsafe(length);
      await handle.read(chunk, 0, length, end - length);
      const lineBreak = chunk.lastIndexOf(0x0a);
      if (lineBreak !== -1) return end - length + lineBreak + 1;
      end -= length;
    }
    return 0;
  } finally {
    await handle.close();
  }
}

/**
 * The line of record `id` in the slice a search found it in (`at` = day:start:end), as its
 * bytes; undefined when it is not there (the file went away or `at` is not one of ours).
 */
export async function recordTextAt(logDir: string, id: string, at: string): Promise<Buffer | undefined> {
  const match = /^(\d{4}-\d{2}-\d{2}):(\d+):(\d+)$/.exec(at);
  if (!match?.[1]) return undefined;
  const start = Number(match[2]);
  const end = Number(match[3]);
  if (!(end > start) || end - start > MAX_AT_BYTES) return undefined;
  const file = (await listTrafficFiles(logDir)).find((candidate) => candidate.day === match[1]);
  if (!file) return undefined;
  const handle = await open(file.path, 'r');
  let slice: Buffer;
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    slice = Buffer.allocUnsafe(end - start);
    const { bytesRead } = await handle.read(slice, 0, end - start, start);
    slice = slice.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  // The recorder writes the id first; a line that starts so is the record.
  const prefix = Buffer.from(`{"id":${JSON.stringify(id)},`);
  for (let from = 0; from < slice.length; ) {
    const lineEnd = slice.indexOf(0x0a, from);
    const line = slice.subarray(from, lineEnd === -1 ? slice.length : lineEnd);
    if (line.subarray(0, prefix.length).equals(prefix)) return line;
    if (lineEnd === -1) break;
    from = lineEnd + 1;
  }
  return undefined;
}
