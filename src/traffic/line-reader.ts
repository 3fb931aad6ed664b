// Reads the lines of a traffic file fast enough for a day of batch syncs (a gigabyte): the
// file is read in large blocks and split on newline bytes, and when the reader is given
// needles (byte strings every wanted record's line must hold, such as `"status":5`) the
// block is searched for them with Buffer.indexOf, so a line that cannot match is never
// decoded or parsed. Lines that are not records are skipped and counted, with their numbers.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';

/** Every group must have one of its byte strings in a line for the line to be parsed. */
export type LineNeedles = ReadonlyArray<readonly Buffer[]>;

const BLOCK_BYTES = 4 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;
const LISTED_LINES = 10;

/** Lines that were not records, for the one note a command prints at the end. */
export class SkippedLines {
  count = 0;
  readonly #byFile = new Map<string, number[]>();

  add(file: string, line: number): void {
    this.count++;
    const lines = this.#byFile.get(file) ?? [];
    if (lines.length < LISTED_LINES) lines.push(line);
    this.#byFile.set(file, lines);
  }

  /** "2 lines skipped: not a record (traffic-2026-12-01.ndjson line 17, 90)", or undefined when none were. */
  note(): string | undefined {
    if (this.count === 0) return undefined;
    const places = [...this.#byFile].map(([file, lines]) => {
      const listed = lines.length < this.#countIn(file) ? `${lines.join(', ')}, ...` : lines.join(', ');
      return `${path.basename(file)} line${lines.length === 1 ? '' : 's'} ${listed}`;
    });
    return `${this.count} line${this.count === 1 ? '' : 's'} skipped: not a record (${places.join('; ')})`;
  }

  #countIn(file: string): number {
    // Only the first LISTED_LINES are kept per file; more than that shows as "...".
    return (this.#byFile.get(file)?.length ?? 0) === LISTED_LINES ? Number.POSITIVE_INFINITY : (this.#byFile.get(file)?.length ?? 0);
  }
}

export interface LineReadOptions {
  readonly start?: number;
  /** Read up to this byte offset (exclusive). */
  readonly end?: number | undefined;
  readonly needles?: LineNeedles | undefined;
}

/** One line: its text and where it starts in the file (see lineNumbersAt). */
export interface FileLine {
  readonly text: string;
  readonly offset: number;
  /** False for a last line with no newline after it: possibly still being written. */
  readonly complete: boolean;
}

/** The lines of a regular file (others are not read: a device or pipe could be read forever). */
export async function* readFileLines(file: string, options: LineReadOptions = {}): AsyncGenerator<FileLine> {
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) return;
    const end = Math.min(options.end ?? info.size, info.size);
    let position = options.start ?? 0;
    // The start of a line whose end is in the next block: copied to the front of that block,
    // so the block itself is read in place and never copied whole.
    let carry = EMPTY;
    // One buffer for every block (lines leave it as strings): fresh memory per block costs a page fault per 4 KB.
    let block = Buffer.allocUnsafeSlow(BLOCK_BYTES);
    while (position < end) {
      const size = Math.min(BLOCK_BYTES, end - position);
      if (block.length < carry.length + size) block = Buffer.allocUnsafeSlow(carry.length + size);
      carry.copy(block, 0);
      const { bytesRead } = await handle.read(block, carry.length, size, position);
      if (bytesRead === 0) break;
      const blockStart = position - carry.length;
      position += bytesRead;
      const data = block.subarray(0, carry.length + bytesRead);
      const last = data.lastIndexOf(NEWLINE);
      if (last === -1) {
        carry = data;
        continue;
      }
      for (const line of linesOf(data.subarray(0, last + 1), blockStart, options.needles)) yield line;
      carry = last + 1 < data.length ? Buffer.from(data.subarray(last + 1)) : EMPTY;
    }
    if (carry.length > 0 && (options.needles === undefined || lineHasNeedles(carry, 0, carry.length, options.needles, 0))) {
      yield { text: lineText(carry, 0, carry.length), offset: position - carry.length, complete: false };
    }
  } finally {
    await handle.close();
  }
}

/** The lines of a block that ends with a newline; with needles, only those holding them. */
function* linesOf(block: Buffer, blockStart: number, needles: LineNeedles | undefined): Generator<FileLine> {
  if (needles === undefined || needles.length === 0) {
    for (let from = 0; from < block.length; ) {
      const newline = block.indexOf(NEWLINE, from);
      yield { text: lineText(block, from, newline), offset: blockStart + from, complete: true };
      from = newline + 1;
    }
    return;
  }
  // Search the block for the first group's needles; only the lines around a hit are looked at.
  const [first, ...rest] = needles;
  for (let from = 0; from < block.length; ) {
    const hit = nearest(block, first ?? [], from);
    if (hit === -1) return;
    const start = hit === 0 ? 0 : block.lastIndexOf(NEWLINE, hit - 1) + 1;
    const stop = block.indexOf(NEWLINE, hit);
    if (lineHasNeedles(block, start, stop, rest, 0)) yield { text: lineText(block, start, stop), offset: blockStart + start, complete: true };
    from = stop + 1;
  }
}

/**
 * The 1-based line numbers of lines starting at these offsets: counted only when a line was
 * skipped (rarely), so reading never pays for counting every newline of a gigabyte.
 */
export async function lineNumbersAt(file: string, offsets: readonly number[]): Promise<number[]> {
  const numbers: number[] = [];
  let line = 1;
  let counted = 0;
  const wanted = [...offsets].sort((a, b) => a - b);
  for await (const chunk of createReadStream(file, { end: Math.max(0, (wanted.at(-1) ?? 0) - 1), highWaterMark: BLOCK_BYTES })) {
    const bytes = chunk as Buffer;
    for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) {
      while (wanted.length > numbers.length && (wanted[numbers.length] ?? 0) <= counted + at) numbers.push(line);
      line++;
    }
    counted += bytes.length;
  }
  while (numbers.length < wanted.length) numbers.push(line);
  return numbers;
}

function nearest(block: Buffer, alternatives: readonly Buffer[], from: number): number {
  let best = -1;
  for (const needle of alternatives) {
    const at = block.indexOf(needle, from);
    if (at !== -1 && (best === -1 || at < best)) best = at;
  }
  return best;
}

function lineHasNeedles(block: Buffer, start: number, stop: number, groups: LineNeedles, from: number): boolean {
  // A view of the line alone: a needle missing from it is not searched for in the rest of the block.
  const line = block.subarray(start, stop);
  for (let index = from; index < groups.length; index++) {
    if (!(groups[index] ?? []).some((needle) => line.includes(needle))) return false;
  }
  return true;
}

function lineText(block: Buffer, start: number, stop: number): string {
  // A file edited on Windows may end its lines with CR LF.
  const end = stop > start && block[stop - 1] === 0x0d ? stop - 1 : stop;
  return block.toString('utf8', start, end);
}

