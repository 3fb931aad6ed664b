// A fixture set on disk: one JSON file per exchange plus index.json, which lists them in
// recorded order (the order repeats are served in). Files are written with sorted keys and
// two-space indents, so the same exchange always gives the same bytes and a diff shows only
// what the API answered differently. Bodies keep the key order the API sent: sorting them
// would change the bytes a client gets back.
import path from 'node:path';
import { UserError } from '../config/errors.js';
import { FolderFileError, isSafeName, parseJsonText, readInside, safeName, writeInside } from '../files/index.js';
import type { Fixture } from './fixture.js';

export const INDEX_FILE = 'index.json';
const FORMAT = 'ons-proxy-fixtures/1';
const MAX_NAME_LENGTH = 80;
/** Larger files are refused unread: a fixture holds one exchange, an index one line per fixture. */
export const MAX_FIXTURE_BYTES = 256 * 1024 * 1024;
const MAX_INDEX_BYTES = 64 * 1024 * 1024;

export interface IndexEntry {
  readonly file: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The fixture's source id: a second save skips exchanges already in the set. */
  readonly source: string;
}

export interface FixtureIndex {
  readonly format: typeof FORMAT;
  readonly fixtures: readonly IndexEntry[];
}

export interface LoadedFixture {
  readonly file: string;
  readonly fixture: Fixture;
}

/** The set's index, or an empty one when the folder has none yet. */
export async function readIndex(folder: string): Promise<FixtureIndex> {
  const file = path.join(folder, INDEX_FILE);
  let bytes: Buffer;
  try {
    bytes = await readInside(folder, INDEX_FILE, { maxBytes: MAX_INDEX_BYTES });
  } catch (error) {
    if (error instanceof FolderFileError && error.code === 'ENOENT') return { format: FORMAT, fixtures: [] };
    throw new UserError(`Cannot read the fixture index: ${(error as Error).message}.`);
  }
  const index = parseJson(bytes, file) as Partial<FixtureIndex> | null;
  if (index?.format !== FORMAT || !Array.isArray(index.fixtures)) {
    throw new UserError(`${file} is not an index of ons-proxy fixtures (it needs "format": "${FORMAT}" and a "fixtures" list): write the set with "ons-proxy fixtures save".`);
  }
  index.fixtures.forEach((entry: Partial<IndexEntry> | null, position) => {
    if (typeof entry?.file !== 'string' || typeof entry.source !== 'string') throw new UserError(`${file}: fixtures[${position}] needs "file" and "source".`);
    // Only plain names of files in the set itself: never a path out of it ("../..", "/dev/zero").
    if (!isSafeName(entry.file)) {
      throw new UserError(`${file}: fixtures[${position}] names a file outside the set, or not a plain file name (only letters, digits, ".", "_" and "-"): fixture files live in the set's own folder. Fix the entry or write the set again with "ons-proxy fixtures save".`);
    }
  });
  return index as FixtureIndex;
}

/** Every fixture of a set, in the index's order; a file that is missing or malformed is named in the error. */
export async function readFixtureSet(folder: string): Promise<LoadedFixture[]> {
  const index = await readIndex(folder);
  const loaded: LoadedFixture[] = [];
  for (const entry of index.fixtures) {
    const file = path.join(folder, entry.file);
    let bytes: Buffer;
    try {
      bytes = await readInside(folder, entry.file, { maxBytes: MAX_FIXTURE_BYTES });
    } catch (error) {
      throw new UserError(`${path.join(folder, INDEX_FILE)} lists ${entry.file}, which cannot be used (${(error as Error).message}): restore it or remove its entry from the index.`);
    }
    loaded.push({ file: entry.file, fixture: validFixture(parseJson(bytes, file), file) });
  }
  return loaded;
}

export interface SaveResult {
  readonly written: readonly string[];
  readonly alreadyThere: number;
}

/**
 * Adds the fixtures the set does not hold yet (by source id), after the ones it has. The one
 * writer of fixture sets (`fixtures save` and the inspector's "Save as fixtures"): every file
 * goes through writeInside, so no name or link leads a write out of the folder.
 */
export async function addToFixtureSet(folder: string, fixtures: readonly Fixture[]): Promise<SaveResult> {
  const index = await readIndex(folder);
  const known = new Set(index.fixtures.map((entry) => entry.source));
  const taken = new Set(index.fixtures.map((entry) => entry.file.toLowerCase()));
  const entries = [...index.fixtures];
  const written: string[] = [];
  let alreadyThere = 0;
  try {
    for (const fixture of fixtures) {
      if (known.has(fixture.source.id)) {
        alreadyThere++;
        continue;
      }
      known.add(fixture.source.id);
      const file = freeName(fixtureName(fixture), taken);
      taken.add(file.toLowerCase());
      await writeInside(folder, file, stableJson(fixture));
      entries.push({ file, method: fixture.request.method, path: fixture.request.path, status: fixture.response.status, source: fixture.source.id });
      written.push(file);
    }
    // The index last: an interrupted save leaves files it does not list, never entries without files.
    if (written.length > 0) await writeInside(folder, INDEX_FILE, stableJson({ format: FORMAT, fixtures: entries }));
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Cannot write the fixtures to ${folder} (--out): ${(error as Error).message}.`);
  }
  return { written, alreadyThere };
}

/**
 * "get-t-clients-1", or the operation ("post-ClientNoteAPI.create") when the record names one:
 * only letters, digits, ".", "_" and "-", whatever the method and path hold (a HAR's method
 * may be "../../x").
 */
export function fixtureName(fixture: Fixture): string {
  const method = safeName(fixture.request.method.toLowerCase(), 'request', 16);
  const subject = safeName(fixture.source.operation ?? fixture.request.path, 'root', MAX_NAME_LENGTH);
  return `${method}-${subject}`;
}

function freeName(base: string, taken: ReadonlySet<string>): string {
  // Where the search for this base ended last time in this set: names only ever get taken, so
  // counts below it are taken, and 20,000 exchanges of one path cost linear time, not quadratic.
  const next = nextCounts.get(taken) ?? new Map<string, number>();
  nextCounts.set(taken, next);
  for (let count = next.get(base) ?? 1; ; count++) {
    const name = `${base}${count === 1 ? '' : `-${count}`}.json`;
    if (!taken.has(name.toLowerCase())) {
      next.set(base, count + 1);
      return name;
    }
  }
}

const nextCounts = new WeakMap<ReadonlySet<string>, Map<string, number>>();

/** JSON with sorted keys everywhere but inside bodies, two-space indents and a final newline. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const inner = (value as Record<string, unknown>)[key];
    sorted[key] = key === 'body' ? inner : sortKeys(inner);
  }
  return sorted;
}

function parseJson(bytes: Buffer, file: string): unknown {
  const parsed = parseJsonText(bytes.toString('utf8'), file);
  if (!parsed.ok) throw new UserError(`${parsed.message}: fix it by hand or write it again with "ons-proxy fixtures save".`);
  return parsed.value;
}

const BODY_ENCODINGS = new Set(['json', 'text', 'base64']);

function validFixture(value: unknown, file: string): Fixture {
  const fixture = value as Partial<Fixture> | null;
  const missing = (what: string): never => {
    throw new UserError(`${file} is not a fixture: ${what}. Fixtures come from "ons-proxy fixtures save"; compare with one it wrote.`);
  };
  if (fixture === null || typeof fixture !== 'object') return missing('it is not a JSON object');
  const { source, request, response, match } = fixture;
  if (typeof source?.id !== 'string' || typeof source.time !== 'string' || typeof source.durationMs !== 'number') missing('"source" needs id, time and durationMs');
  if (typeof request?.method !== 'string' || typeof request.path !== 'string' || !request.path.startsWith('/')) missing('"request" needs method and a path starting with /');
  if (typeof request?.query !== 'object' || typeof request.headers !== 'object' || !BODY_ENCODINGS.has(String(request.bodyEncoding))) missing('"request" needs query, headers and bodyEncoding json, text or base64');
  if (typeof response?.status !== 'number' || response.status < 100 || response.status > 999) missing('"response.status" must be an HTTP status');
  if (typeof response?.headers !== 'object' || !BODY_ENCODINGS.has(String(response.bodyEncoding))) missing('"response" needs headers and bodyEncoding json, text or base64');
  for (const list of [match?.ignoreQuery, match?.ignoreBodyFields]) {
    if (list !== undefined && (!Array.isArray(list) || list.some((item) => typeof item !== 'string'))) missing('"match.ignoreQuery" and "match.ignoreBodyFields" must be lists of names');
  }
  return fixture as Fixture;
}
