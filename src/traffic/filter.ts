// Which records a reader wants: by status, method, path, operation and start time. The command line's
// `logs` and `har` parse their flags into this, and readers apply it.
import { UserError } from '../config/errors.js';
import type { TrafficRecord } from './record.js';

export interface RecordQueryText {
  /** e.g. "404", "4xx", "4xx,503" */
  readonly status?: string | undefined;
  /** e.g. "GET", "post,put" */
  readonly method?: string | undefined;
  /** A substring of the path and query, or a glob on the path with * (e.g. "/t/clients/*"). */
  readonly path?: string | undefined;
  /** See parseSince. */
  readonly since?: string | undefined;
  /** Operation ids (ClientAPI.byId, any case), or text in the operation's id, summary or path template; a comma list selects any of them. */
  readonly operation?: string | undefined;
}

export interface RecordQuery {
  readonly since: Date | undefined;
  /**
   * Byte strings the line of every record this query matches holds (one of each group): a
   * reader skips other lines without parsing them. Necessary, not sufficient: `matches` decides.
   */
  readonly needles: Buffer[][];
  matches(record: TrafficRecord): boolean;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseRecordQuery(text: RecordQueryText, now: Date = new Date()): RecordQuery {
  const statusTests = text.status === undefined ? [] : list(text.status).map(statusTest);
  const methods = text.method === undefined ? [] : list(text.method).map((method) => method.toUpperCase());
  const pathTest = text.path === undefined ? undefined : pathMatcher(text.path);
  const since = text.since === undefined ? undefined : parseSince(text.since, now);
  const operationTest = text.operation === undefined ? undefined : operationMatcher(text.operation);
  const sinceMs = since?.getTime();
  return {
    since,
    needles: queryNeedles(text),
    matches(record) {
      if (statusTests.length && !statusTests.some((test) => test(record.status))) return false;
      if (methods.length && !methods.includes(record.method.toUpperCase())) return false;
      if (pathTest && !pathTest(record.url)) return false;
      if (operationTest && !operationTest(record)) return false;
      return sinceMs === undefined || Date.parse(record.time) >= sinceMs;
    },
  };
}

/**
 * How each filter shows in a record's line, as JSON.stringify wrote it: `us":5` for 5xx (the
 * end of `"status":5`; Buffer.indexOf is many times faster for short needles that do not start
 * with a byte as common as `"`),
 * the URL text JSON-escaped (a glob's longest literal part), `"operation":{`.
 */
function queryNeedles(text: RecordQueryText): Buffer[][] {
  const groups: Buffer[][] = [];
  const bytes = (values: readonly string[]): Buffer[] => [...new Set(values)].map((value) => Buffer.from(value));
  if (text.status !== undefined) {
    // Short needles: V8 finds a 5-6 byte string in a gigabyte several times faster than a 9-byte one.
    groups.push(bytes(list(text.status).map((item) => `us":${/^\d{1,3}$/.test(item) ? String(Number(item)).slice(0, 2) : item.charAt(0)}`)));
  }
  // No needle for --method: it matches in any case ("put" in a copied log), which indexOf cannot.
  if (text.path !== undefined) {
    const literal = text.path.split('*').sort((a, b) => b.length - a.length)[0] ?? '';
    if (literal !== '') groups.push(bytes([jsonEscaped(literal)]));
  }
  if (text.operation !== undefined) groups.push(bytes(['operation":{']));
  return groups;
}

/** A text as it appears inside a JSON string written by JSON.stringify. */
export function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** What --since takes, for the error when it does not parse. */
const SINCE_FORMATS = 'a duration (90s, 10m, 2h, 7d), today, yesterday, a day (2026-11-01) or a date-time (2026-11-01T09:00)';

/**
 * "500ms", "90s", "10m", "2h", "7d", "1w", "today", "yesterday", "2026-11-01" (local midnight) or a
 * date-time: the one --since of every command that reads records.
 */
export function parseSince(text: string, now: Date = new Date()): Date {
  const value = text.trim().toLowerCase();
  const duration = DURATION.exec(value);
  if (duration?.[1] && duration[2]) return new Date(now.getTime() - Number(duration[1]) * (UNIT_MS[duration[2]] ?? 0));
  if (value === 'today' || value === 'yesterday') return new Date(now.getFullYear(), now.getMonth(), now.getDate() - (value === 'yesterday' ? 1 : 0));
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) return new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  const moment = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}[t ]\d/.test(value) && !Number.isNaN(moment)) return new Date(moment);
  throw new UserError(`--since "${text}" is not a moment: use ${SINCE_FORMATS}.`);
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function statusTest(item: string): (status: number) => boolean {
  if (/^\d{1,3}$/.test(item)) return (status) => status === Number(item);
  const klass = /^([1-5])xx$/i.exec(item)?.[1];
  if (klass) return (status) => Math.floor(status / 100) === Number(klass);
  throw new UserError(`--status "${item}" is not a status: use a code (404), a class (4xx) or a list (4xx,503).`);
}

function pathMatcher(pattern: string): (url: string) => boolean {
  if (!pattern.includes('*')) return (url) => url.includes(pattern);
  // A glob matches the whole path (the query string aside): * is any run of characters.
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return (url) => regex.test(url.split('?')[0] ?? url) || regex.test(url);
}

/** The one test of --operation, for `logs`, `har` and `fixtures save` alike. */
export function operationMatcher(text: string): (record: Pick<TrafficRecord, 'operation'>) => boolean {
  const wanted = list(text.toLowerCase());
  return ({ operation }) => {
    if (!operation) return false;
    const fields = [operation.id, operation.summary ?? '', operation.path].map((field) => field.toLowerCase());
    return wanted.some((item) => fields.some((field) => field.includes(item)));
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The recorded operation ids nearest to what --operation asked for, nearest first: ids that
 * share a word with it (ClientAPI, byId), then by edit distance. `seen` is bounded by the
 * API document's operations, so this stays small whatever the log's size.
 */
export function nearestOperations(text: string, seen: Iterable<string>, count = 5): string[] {
  const wanted = list(text.toLowerCase());
  const words = (value: string): string[] => value.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const wantedWords = new Set(wanted.flatMap(words));
  const scored = [...new Set(seen)].map((id) => {
    const lower = id.toLowerCase();
    const shared = words(id).filter((word) => wantedWords.has(word)).length;
    const distance = Math.min(...wanted.map((item) => editDistance(item, lower)));
    return { id, shared, distance };
  });
  return scored
    .sort((a, b) => b.shared - a.shared || a.distance - b.distance || a.id.localeCompare(b.id))
    .slice(0, count)
    .map((item) => item.id);
}

function editDistance(a: string, b: string): number {
  // Operation ids are short; a bound keeps a pasted URL from costing much.
  const left = a.slice(0, 200);
  const right = b.slice(0, 200);
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}
