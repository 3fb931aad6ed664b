// The part of a traffic record the reports read, and which operation a record was: the
// loaded document's answer first (it may be newer than the proxy that wrote the record),
// else what the record itself names.
import type { ApiIndex, OperationSummary } from '../openapi/index.js';
import type { RecordHeaders } from '../traffic/index.js';

export interface RecordedAnswer {
  readonly headers: RecordHeaders;
  readonly body?: unknown;
  readonly bodyEncoding: string;
  readonly bodyTruncated: boolean;
}

export interface UsedExchange {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly time: string;
  /** Identical refusals summed up into one record count as the calls they were. */
  readonly repeated?: { readonly count: number; readonly until: string };
  readonly tag?: string | undefined;
  readonly hint?: string | undefined;
  readonly operation?: OperationSummary | undefined;
  readonly request?: { readonly headers: RecordHeaders };
  readonly response?: RecordedAnswer;
}

/** "/t/clients/3?x=1" -> "/t/clients/3" */
export function pathOnly(url: string): string {
  const queryAt = url.search(/[?#]/);
  return queryAt === -1 ? url : url.slice(0, queryAt);
}

export function operationOf(exchange: UsedExchange, api: ApiIndex | undefined): OperationSummary | undefined {
  return api?.describe(exchange.method, pathOnly(exchange.url), { nearest: false }).operation ?? exchange.operation;
}

/** How many calls a record stands for, and when the last of them was. */
export function callsOf(exchange: UsedExchange): { calls: number; lastTime: string } {
  return { calls: exchange.repeated?.count ?? 1, lastTime: exchange.repeated?.until ?? exchange.time };
}

/** Calls, statuses and first and last seen, the counts every report keeps per row. */
export interface CallCounts {
  calls: number;
  /** Calls per status the client got ("0" when it went away before any response). */
  readonly statuses: Record<string, number>;
  firstSeen: string;
  lastSeen: string;
}

export function newCounts(time: string): CallCounts {
  return { calls: 0, statuses: {}, firstSeen: time, lastSeen: time };
}

export function countCall(counts: CallCounts, exchange: UsedExchange): void {
  const { calls, lastTime } = callsOf(exchange);
  counts.calls += calls;
  const status = String(exchange.status);
  counts.statuses[status] = (counts.statuses[status] ?? 0) + calls;
  if (exchange.time < counts.firstSeen) counts.firstSeen = exchange.time;
  if (lastTime > counts.lastSeen) counts.lastSeen = lastTime;
}

/** "200×4, 404×1" */
export function describeStatuses(statuses: Readonly<Record<string, number>>): string {
  return Object.entries(statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => `${status === '0' ? 'no response' : status}×${count}`)
    .join(', ');
}

/** "2026-12-01T23:40:01Z": a moment to the second is enough to find the record again. */
export function shortTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}
