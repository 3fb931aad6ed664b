/**
 * The endpoint report: which endpoints an integration used, as method + path template, for
 * the connection's Technical Design request. Ids in paths become {id}, so a hundred calls to
 * /t/clients/1 .. /t/clients/100 are one endpoint.
 */
import { isAdminPath } from '../admin/index.js';

/** Path segments that are ids, not names: numbers, UUIDs, long hex and base64-like tokens. */
const ID_SEGMENTS: readonly RegExp[] = [
  /^\d+$/,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^[0-9a-f]{16,}$/i,
  // Tokens mix letters and digits; long plain words (e.g. "administration") have no digits.
  /^(?=[^/]*\d)(?=[^/]*[A-Za-z])[A-Za-z0-9_\-+=.~%]{20,}$/,
];

export const ID_PLACEHOLDER = '{id}';

/** "/t/clients/42/notes?x=1" -> "/t/clients/{id}/notes". */
export function pathTemplate(url: string): string {
  const queryAt = url.search(/[?#]/);
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  return path
    .split('/')
    .map((segment) => (segment !== '' && ID_SEGMENTS.some((pattern) => pattern.test(segment)) ? ID_PLACEHOLDER : segment))
    .join('/');
}

/** The part of a traffic record the report needs. */
export interface UsedExchange {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly time: string;
  /** Identical refusals summed up into one record count as the calls they were. */
  readonly repeated?: { readonly count: number; readonly until: string };
}

export interface EndpointUsage {
  readonly method: string;
  readonly path: string;
  calls: number;
  /** Calls per status the client got ("0" when it went away before any response). */
  readonly statuses: Record<string, number>;
  firstSeen: string;
  lastSeen: string;
}

/** Groups exchanges by method and path template, sorted by path then method. The proxy's own pages are left out. */
export function summarizeEndpoints(exchanges: Iterable<UsedExchange>): EndpointUsage[] {
  const byEndpoint = new Map<string, EndpointUsage>();
  for (const exchange of exchanges) {
    if (isAdminPath(exchange.url)) continue;
    const path = pathTemplate(exchange.url);
    const key = `${exchange.method} ${path}`;
    let usage = byEndpoint.get(key);
    if (!usage) {
      usage = { method: exchange.method, path, calls: 0, statuses: {}, firstSeen: exchange.time, lastSeen: exchange.time };
      byEndpoint.set(key, usage);
    }
    const calls = exchange.repeated?.count ?? 1;
    const lastTime = exchange.repeated?.until ?? exchange.time;
    usage.calls += calls;
    const status = String(exchange.status);
    usage.statuses[status] = (usage.statuses[status] ?? 0) + calls;
    if (exchange.time < usage.firstSeen) usage.firstSeen = exchange.time;
    if (lastTime > usage.lastSeen) usage.lastSeen = lastTime;
  }
  return [...byEndpoint.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** "200×4, 404×1" */
export function describeStatuses(statuses: Readonly<Record<string, number>>): string {
  return Object.entries(statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => `${status === '0' ? 'no response' : status}×${count}`)
    .join(', ');
}

/** A plain-text table, one endpoint per line. */
export function formatEndpointTable(endpoints: readonly EndpointUsage[]): string {
  const rows = [['METHOD', 'PATH', 'CALLS', 'STATUSES'], ...endpoints.map((e) => [e.method, e.path, String(e.calls), describeStatuses(e.statuses)])];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map(([method = '', path = '', calls = '', statuses = '']) =>
      [method.padEnd(widths[0] ?? 0), path.padEnd(widths[1] ?? 0), calls.padStart(widths[2] ?? 0), statuses].join('  ').trimEnd(),
    )
    .join('\n');
}
