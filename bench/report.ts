// Turning samples into the table printed on the terminal and the markdown file BENCHMARKS.md
// quotes. Medians over repetitions (robust to one noisy run on a shared machine), peak RSS as
// the maximum over them.
import type { MemorySample } from './memory.js';
export type RowId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i';
export const ROW_ORDER: readonly RowId[] = ['a', 'b', 'c', 'g', 'h', 'i', 'd', 'e', 'f'];

export const ROW_LABELS: Record<RowId, string> = {
  a: '(a) direct to upstream, mTLS',
  b: '(b) proxy, full recording',
  c: '(c) proxy, bodies not recorded',
  d: '(d) nginx mTLS proxy',
  e: '(e) Caddy mTLS proxy',
  f: '(f) mitmproxy (mitmdump)',
  g: '(g) proxy, full recording, console /dev/null',
  h: '(h) proxy before (--baseline), full recording',
  i: '(i) the stack alone: fastify + @fastify/http-proxy + undici',
};

export interface JsonSample {
  readonly row: RowId;
  /** The repetition (0-based): samples of one repetition were taken minutes apart at most, so their ratios are paired. */
  readonly rep: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
  readonly rssBytes: number | undefined;
  /** CPU microseconds per exchange of the main thread(s) and of every other thread, from /proc; rows without a pid have none. */
  readonly cpuMainUs: number | undefined;
  readonly cpuOtherUs: number | undefined;
  readonly tool: string;
}

export interface DownloadSample {
  readonly row: RowId;
  readonly mbPerS: number;
  readonly seconds: number;
  readonly rssBytes: number | undefined;
}

export interface JsonSummary {
  readonly row: RowId;
  readonly runs: number;
  readonly rps: number;
  readonly rpsMin: number;
  readonly rpsMax: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
  readonly rssBytes: number | undefined;
  readonly cpuMainUs: number | undefined;
  readonly cpuOtherUs: number | undefined;
  readonly tool: string;
}

export interface DownloadSummary {
  readonly row: RowId;
  readonly runs: number;
  readonly mbPerS: number;
  readonly seconds: number;
  readonly rssBytes: number | undefined;
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** f(first, second) for each repetition in which both rows were measured, in repetition order. */
export function paired(samples: readonly JsonSample[] | undefined, first: RowId, second: RowId, f: (a: JsonSample, b: JsonSample) => number): number[] {
  if (!samples) return [];
  const reps = [...new Set(samples.map((s) => s.rep))].sort((p, q) => p - q);
  return reps.flatMap((rep) => {
    const a = samples.find((s) => s.rep === rep && s.row === first);
    const b = samples.find((s) => s.rep === rep && s.row === second);
    return a && b ? [f(a, b)] : [];
  });
}

function medianDefined(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? median(defined) : undefined;
}

function maxDefined(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.max(...defined) : undefined;
}

function rowsOf<T extends { row: RowId }>(samples: readonly T[]): RowId[] {
  return ROW_ORDER.filter((row) => samples.some((s) => s.row === row));
}

export function summarizeJson(samples: readonly JsonSample[]): JsonSummary[] {
  return rowsOf(samples).map((row) => {
    const mine = samples.filter((s) => s.row === row);
    return {
      row,
      runs: mine.length,
      rps: median(mine.map((s) => s.rps)),
      rpsMin: Math.min(...mine.map((s) => s.rps)),
      rpsMax: Math.max(...mine.map((s) => s.rps)),
      p50Ms: median(mine.map((s) => s.p50Ms)),
      p99Ms: median(mine.map((s) => s.p99Ms)),
      failures: mine.reduce((sum, s) => sum + s.failures, 0),
      rssBytes: maxDefined(mine.map((s) => s.rssBytes)),
      cpuMainUs: medianDefined(mine.map((s) => s.cpuMainUs)),
      cpuOtherUs: medianDefined(mine.map((s) => s.cpuOtherUs)),
      tool: [...new Set(mine.map((s) => s.tool))].join('+'),
    };
  });
}

export function summarizeDownload(samples: readonly DownloadSample[]): DownloadSummary[] {
  return rowsOf(samples).map((row) => {
    const mine = samples.filter((s) => s.row === row);
    return {
      row,
      runs: mine.length,
      mbPerS: median(mine.map((s) => s.mbPerS)),
      seconds: median(mine.map((s) => s.seconds)),
      rssBytes: maxDefined(mine.map((s) => s.rssBytes)),
    };
  });
}

const fixed = (value: number | undefined, digits: number): string => (value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits));
const mb = (bytes: number | undefined): string => (bytes === undefined ? '-' : (bytes / 1024 / 1024).toFixed(0));
const signed = (value: number): string => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(2)}` : '-');
const ratio = (value: number, base: number | undefined): string => (base && Number.isFinite(value) ? `${(value / base).toFixed(2)}x` : '-');

export type Table = { readonly title: string; readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] };

export function jsonTable(title: string, summaries: readonly JsonSummary[]): Table {
  const direct = summaries.find((s) => s.row === 'a');
  const nginx = summaries.find((s) => s.row === 'd');
  // "added" is against row (a); a run without it (--rows) leaves the two columns out.
  const added = (s: JsonSummary): string[] => (direct ? (s.row === 'a' ? ['-', '-'] : [signed(s.p50Ms - direct.p50Ms), signed(s.p99Ms - direct.p99Ms)]) : []);
  return {
    title,
    head: ['row', 'tool', 'req/s', 'req/s min-max', 'p50 ms', 'p99 ms', ...(direct ? ['p50 added', 'p99 added'] : []), 'CPU us/exch main', 'CPU us/exch other', 'peak RSS MB', 'req/s vs (d)', 'p99 vs (d)', 'runs', 'failures'],
    rows: summaries.map((s) => [
      ROW_LABELS[s.row],
      s.tool,
      fixed(s.rps, 0),
      `${fixed(s.rpsMin, 0)}-${fixed(s.rpsMax, 0)}`,
      fixed(s.p50Ms, 3),
      fixed(s.p99Ms, 3),
      ...added(s),
      fixed(s.cpuMainUs, 0),
      fixed(s.cpuOtherUs, 0),
      mb(s.rssBytes),
      ratio(s.rps, nginx?.rps),
      ratio(s.p99Ms, nginx?.p99Ms),
      String(s.runs),
      String(s.failures),
    ]),
  };
}

export function downloadTable(title: string, summaries: readonly DownloadSummary[]): Table {
  const nginx = summaries.find((s) => s.row === 'd');
  return {
    title,
    head: ['row', 'MB/s', 'seconds', 'peak RSS MB', 'MB/s vs (d)', 'runs'],
    rows: summaries.map((s) => [ROW_LABELS[s.row], fixed(s.mbPerS, 0), fixed(s.seconds, 2), mb(s.rssBytes), ratio(s.mbPerS, nginx?.mbPerS), String(s.runs)]),
  };
}

export function memoryTable(title: string, samples: readonly MemorySample[]): Table {
  return {
    title,
    head: ['row', 'workload', 'transfers', 'MB/s', 'peak RSS MB'],
    rows: ROW_ORDER.flatMap((row) =>
      samples.filter((s) => s.row === row).map((s) => [ROW_LABELS[s.row], s.workload === 'downloads' ? '50 MB downloads, 4 connections' : '1 upload', String(s.transfers), fixed(s.mbPerS, 0), mb(s.rssBytes)]),
    ),
  };
}

export function renderText(table: Table): string {
  const widths = table.head.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [table.title, line(table.head), ...table.rows.map(line)].join('\n');
}

export function renderMarkdown(table: Table): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const rule = `|${table.head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`;
  return [`### ${table.title}`, '', line(table.head), rule, ...table.rows.map(line)].join('\n');
}
