// The filter box's language: the filters of `ons-proxy logs`, written as words. A status
// (404, 4xx), a method (post) or other text (in the path and query) on their own, or
// status:, method:, path: (a glob with *), operation:, since: and until: with a value.
// It is turned into the flags of `logs` and handed to the same code (traffic/filter.ts).
import { UserError } from '../config/errors.js';
import { parseRecordQuery, parseSince, type RecordQuery, type RecordQueryText } from '../traffic/filter.js';
import type { TrafficRecord } from '../traffic/record.js';

const KEYS = ['status', 'method', 'path', 'operation', 'since', 'until'] as const;
type Key = (typeof KEYS)[number];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const EXPECTED = 'a status (404, 4xx), a method (POST), text of the path, or status:, method:, path:, operation:, since:, until: with a value';

export interface BoxQuery {
  /** The earliest start time asked for, so that older day files can be left unread. */
  readonly since: Date | undefined;
  /** Byte strings a matching record's line holds (RecordQuery.needles): the history search parses no other line. */
  readonly needles: Buffer[][];
  matches(record: TrafficRecord): boolean;
}

/** The box's text as a query; a UserError whose message says what was expected. */
export function parseBoxQuery(text: string, now: Date = new Date()): BoxQuery {
  const lists: Record<Key, string[]> = { status: [], method: [], path: [], operation: [], since: [], until: [] };
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    const keyed = /^([a-z]+):(.*)$/i.exec(word);
    if (keyed?.[1] !== undefined && keyed[2] !== undefined && !keyed[1].toLowerCase().startsWith('http')) {
      const key = keyed[1].toLowerCase() as Key;
      if (!KEYS.includes(key)) throw new UserError(`"${keyed[1]}:" is not a filter: use ${EXPECTED}.`);
      if (keyed[2] === '') throw new UserError(`"${keyed[1]}:" needs a value, e.g. ${key === 'status' ? 'status:4xx' : key === 'since' ? 'since:2h' : `${key}:…`}.`);
      lists[key].push(keyed[2]);
    } else if (/^(\d{3}|[1-5]xx)$/i.test(word)) lists.status.push(word);
    else if (METHODS.has(word.toUpperCase())) lists.method.push(word);
    else lists.path.push(word);
  }
  for (const key of ['since', 'until', 'operation'] as const) {
    if (lists[key].length > 1) throw new UserError(`Give ${key}: once (found ${lists[key].map((value) => `${key}:${value}`).join(', ')}).`);
  }
  const flags = (path: string | undefined): RecordQueryText => ({
    status: lists.status.length ? lists.status.join(',') : undefined,
    method: lists.method.length ? lists.method.join(',') : undefined,
    path,
    operation: lists.operation[0],
    since: lists.since[0],
  });
  let queries: RecordQuery[];
  let until: number | undefined;
  try {
    // Every path word must match: one query per word, all of them asked.
    queries = lists.path.length <= 1 ? [parseRecordQuery(flags(lists.path[0]), now)] : lists.path.map((path) => parseRecordQuery(flags(path), now));
    until = lists.until[0] === undefined ? undefined : parseSince(lists.until[0], now).getTime();
  } catch (error) {
    // The messages name the flags of `logs`; the box calls them status:, since: ...
    if (error instanceof UserError) throw new UserError(error.message.replace(/--(\w+) "/g, (_whole, flag: string) => `${flag === 'since' && lists.until.length && !lists.since.length ? 'until' : flag}: "`));
    throw error;
  }
  return {
    since: queries[0]?.since,
    // Every query must match, so every query's needles must be in the line.
    needles: queries.flatMap((query) => query.needles),
    matches: (record) => queries.every((query) => query.matches(record)) && (until === undefined || Date.parse(record.time) < until),
  };
}
