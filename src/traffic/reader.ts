// Reads the traffic files back: every day's file in a log folder, oldest day first.
// Used by `logs`, `har`, the inspector after a restart and the endpoint report.
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../config/errors.js';
import { TRAFFIC_FILE_PATTERN, localDay } from './files.js';
import { JsonBody } from './json-body.js';
import { recordBodySpans } from './json-text.js';
import { lineNumbersAt, readFileLines, type LineNeedles, type LineReadOptions, type SkippedLines } from './line-reader.js';
import type { BodyEncoding, TrafficMessage, TrafficRecord } from './record.js';

export interface ReadRecordsOptions {
  readonly logDir: string;
  /** Only records that started at or after this moment. */
  readonly since?: Date | undefined;
  /** Read each file only up to this byte offset (see wholeLineEnds); files not in the map are left out. */
  readonly upTo?: ReadonlyMap<string, number> | undefined;
  /** JSON bodies as JsonBody, with their own text (see parseRecordLine): for readers that write or serve bodies. */
  readonly exactBodies?: boolean | undefined;
  /** Byte strings a wanted record's line must hold (see RecordQuery.needles): other lines are not parsed. */
  readonly needles?: LineNeedles | undefined;
  /** Counts the lines that are not records, for the command's note at the end. */
  readonly skipped?: SkippedLines | undefined;
}

export interface TrafficFile {
  readonly day: string;
  readonly path: string;
}

/** The traffic files of a log folder, oldest day first. A missing folder is a UserError. */
export async function listTrafficFiles(logDir: string): Promise<TrafficFile[]> {
  let names: string[];
  try {
    names = await readdir(logDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`No traffic records: the log folder ${logDir} does not exist. Start the proxy first, or point ONS_PROXY_LOG_DIR (--log-dir) at the folder it writes to.`);
    throw new UserError(`Cannot read the log folder ${logDir}: ${(error as Error).message}.`);
  }
  const files: TrafficFile[] = [];
  for (const name of names) {
    const match = TRAFFIC_FILE_PATTERN.exec(name);
    if (match?.[1]) files.push({ day: match[1], path: path.join(logDir, name) });
  }
  return files.sort((a, b) => a.day.localeCompare(b.day));
}

/**
 * Every record in the log folder, oldest day first and, within a day, in the order the
 * exchanges ended. Lines that are not records (a line still being written) are skipped.
 */
export async function* readRecords(options: ReadRecordsOptions): AsyncGenerator<TrafficRecord> {
  const sinceMs = options.since?.getTime();
  const firstDay = options.since ? localDay(options.since) : undefined;
  for (const file of await listTrafficFiles(options.logDir)) {
    // A file holds the exchanges that ended that day, so an exchange that started the day
    // before can sit in it: compare with the previous day to keep it.
    if (firstDay !== undefined && file.day < previousDay(firstDay)) continue;
    const end = options.upTo === undefined ? undefined : (options.upTo.get(file.path) ?? 0);
    if (end === 0) continue;
    for await (const record of readRecordFile(file.path, { end, exactBodies: options.exactBodies, needles: options.needles, skipped: options.skipped })) {
      if (sinceMs === undefined || Date.parse(record.time) >= sinceMs) yield record;
    }
  }
}

export interface RecordFileOptions extends LineReadOptions {
  readonly exactBodies?: boolean | undefined;
  readonly skipped?: SkippedLines | undefined;
}

/**
 * The records of one file, from a byte offset on; stops at `end` or at the end of what is
 * there now. A line that is not a record is skipped (and counted in `skipped`), except a last
 * line with no newline yet: the proxy may still be writing it.
 */
export async function* readRecordFile(file: string, options: RecordFileOptions = {}): AsyncGenerator<TrafficRecord> {
  const skippedAt: number[] = [];
  for await (const line of readFileLines(file, options)) {
    const record = parseRecordLine(line.text, options.exactBodies);
    if (record) yield record;
    else if (line.complete && line.text.trim() !== '') skippedAt.push(line.offset);
  }
  if (skippedAt.length > 0 && options.skipped) for (const number of await lineNumbersAt(file, skippedAt)) options.skipped.add(file, number);
}

// Big enough that a day of small records takes a few reads, small enough that a restart
// never holds much more than the records it keeps.
const TAIL_CHUNK_BYTES = 256 * 1024;

/**
 * The last `count` records of one file that `accept` keeps, oldest first. Reads backwards
 * from the end, so a day's file of a batch sync (hundreds of thousands of records) costs a
 * restart no more than its last few hundred. `exactBodies`: see parseRecordLine (the
 * inspector's detail and resend can then show and send a body's own bytes).
 */
export async function readLastRecords(file: string, count: number, accept: (record: TrafficRecord) => boolean, exactBodies = false): Promise<TrafficRecord[]> {
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) return [];
    const newestFirst: TrafficRecord[] = [];
    let position = info.size;
    // The start of a line whose beginning lies in the part not read yet.
    let partial = Buffer.alloc(0);
    while (position > 0 && newestFirst.length < count) {
      const length = Math.min(TAIL_CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      const data = partial.length > 0 ? Buffer.concat([chunk, partial]) : chunk;
      const firstBreak = position === 0 ? -1 : data.indexOf(0x0a);
      if (firstBreak === -1 && position > 0) {
        partial = data;
        continue;
      }
      partial = position === 0 ? Buffer.alloc(0) : data.subarray(0, firstBreak);
      const lines = data.subarray(firstBreak + 1).toString('utf8').split('\n');
      for (let index = lines.length - 1; index >= 0 && newestFirst.length < count; index--) {
        const record = parseRecordLine(lines[index] ?? '', exactBodies);
        if (record && accept(record)) newestFirst.push(record);
      }
    }
    return newestFirst.reverse();
  } finally {
    await handle.close();
  }
}

/**
 * Where each traffic file of the folders ends now, after its last whole line. `logs --follow`
 * lists the records up to here and follows from here: a record written while the list is
 * read is then printed once, by the follow, instead of falling between the two.
 */
export async function wholeLineEnds(logDirs: readonly string[]): Promise<Map<string, number>> {
  const ends = new Map<string, number>();
  for (const logDir of logDirs) {
    for (const file of await listTrafficFiles(logDir)) ends.set(file.path, await endOfWholeLines(file.path));
  }
  return ends;
}

async function endOfWholeLines(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) return 0;
    for (let position = info.size; position > 0; ) {
      const length = Math.min(TAIL_CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      const lastBreak = chunk.lastIndexOf(0x0a);
      if (lastBreak !== -1) return position + lastBreak + 1;
    }
    return 0;
  } finally {
    await handle.close();
  }
}

/**
 * The record a line holds, or undefined for a line that is not one. With `exactBodies`, a
 * JSON body is a JsonBody that keeps the body's own text from the line: JSON.parse alone
 * would turn an int64 id above 2^53 into another number, and drop the body's spacing,
 * escapes and number forms (1.0), which fixtures, replay, HAR and `logs --json` must keep.
 */
export function parseRecordLine(line: string, exactBodies = false): TrafficRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecordShaped(value)) return undefined;
  const record = value;
  if (exactBodies) keepBodyTexts(record, line);
  return record;
}

// Not record.ts's BODY_ENCODINGS: that module loads the schema library, which the start path does without.
const BODY_ENCODING_SET: ReadonlySet<unknown> = new Set<BodyEncoding>(['json', 'text', 'base64', 'omitted']);

/**
 * Whether a parsed line has the fields every reader relies on, with their types: a line from a
 * copied or hand-edited log ("method": 5, "url": null) is skipped, not a crash in a reader.
 */
function isRecordShaped(value: unknown): value is TrafficRecord {
  if (!isObject(value)) return false;
  const { id, time, method, url, status, durationMs, queuedMs, profile, request, response } = value;
  if (typeof id !== 'string' || typeof time !== 'string' || typeof method !== 'string' || typeof url !== 'string' || typeof profile !== 'string') return false;
  if (typeof status !== 'number' || typeof durationMs !== 'number' || typeof queuedMs !== 'number') return false;
  if (!isMessage(request) || !isMessage(response)) return false;
  for (const name of ['upstreamUrl', 'tag', 'hint'] as const) if (value[name] !== undefined && typeof value[name] !== 'string') return false;
  const { operation, error, repeated, findings } = value;
  if (operation !== undefined && !(isObject(operation) && typeof operation.id === 'string' && typeof operation.path === 'string')) return false;
  if (error !== undefined && !(isObject(error) && typeof error.code === 'string' && typeof error.message === 'string')) return false;
  if (repeated !== undefined && !(isObject(repeated) && typeof repeated.count === 'number' && typeof repeated.until === 'string')) return false;
  return findings === undefined || Array.isArray(findings);
}

function isMessage(value: unknown): boolean {
  return isObject(value) && isObject(value.headers) && typeof value.bodyBytes === 'number' && BODY_ENCODING_SET.has(value.bodyEncoding);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keepBodyTexts(record: TrafficRecord, line: string): void {
  const { request, response } = record;
  const json = (message: TrafficMessage): boolean => message.bodyEncoding === 'json' && message.body !== undefined;
  if (!json(request) && !json(response)) return;
  let spans: ReturnType<typeof recordBodySpans> | undefined;
  const cut = (side: 'request' | 'response') => (): string => {
    spans ??= recordBodySpans(line);
    const span = spans[side];
    return span ? line.slice(span.start, span.end) : JSON.stringify(record[side].body);
  };
  if (json(request)) request.body = JsonBody.read(request.body, cut('request'));
  if (json(response)) response.body = JsonBody.read(response.body, cut('response'));
}

export interface FollowOptions {
  readonly logDir: string;
  readonly signal: AbortSignal;
  /** Where to start in each file (see wholeLineEnds); by default at the end of what is there now. */
  readonly from?: ReadonlyMap<string, number> | undefined;
  /** How often to look for new lines (ms). */
  readonly pollMs?: number;
  /** See ReadRecordsOptions. */
  readonly exactBodies?: boolean | undefined;
}

/**
 * Records written after the call, as they arrive (like `tail -f`), including those in a
 * new day's file. Ends when the signal aborts.
 */
export async function* followRecords(options: FollowOptions): AsyncGenerator<TrafficRecord> {
  const pollMs = options.pollMs ?? 250;
  const offsets = new Map<string, number>();
  for (const file of await listTrafficFiles(options.logDir)) offsets.set(file.path, options.from?.get(file.path) ?? (await stat(file.path)).size);
  while (!options.signal.aborted) {
    for (const file of await listTrafficFiles(options.logDir)) {
      const offset = offsets.get(file.path) ?? 0;
      const size = (await stat(file.path)).size;
      if (size <= offset) continue;
      // Only whole lines: a line still being written is read on the next round.
      const { records, consumed } = await readWholeLines(file.path, offset, size, options.exactBodies === true);
      offsets.set(file.path, offset + consumed);
      for (const record of records) yield record;
    }
    await sleep(pollMs, options.signal);
  }
}

async function readWholeLines(file: string, start: number, end: number, exactBodies: boolean): Promise<{ records: TrafficRecord[]; consumed: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(file, { start, end: end - 1 })) chunks.push(chunk as Buffer);
  const data = Buffer.concat(chunks);
  const lastNewline = data.lastIndexOf(0x0a);
  if (lastNewline === -1) return { records: [], consumed: 0 };
  const records = data
    .subarray(0, lastNewline)
    .toString('utf8')
    .split('\n')
    .map((line) => parseRecordLine(line, exactBodies))
    .filter((record): record is TrafficRecord => record !== undefined);
  return { records, consumed: lastNewline + 1 };
}

function previousDay(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return localDay(new Date(year ?? 1970, (month ?? 1) - 1, (date ?? 1) - 1));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
