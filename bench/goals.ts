// Issue 26's targets, checked against one run. Each throughput or latency target is judged on
// the median of ratios (or differences) taken within a repetition: (b) in repetition k against
// (i) in repetition k, measured a minute apart at most, so drift on a shared machine weighs on
// both alike. Informational only: timing assertions do not belong in the test suite, and one
// noisy run on a shared machine is not a verdict, so nothing here fails the benchmark.
import type { MemorySample } from './memory.js';
import { median, paired, type JsonSample, type RowId } from './report.js';

export interface GoalInput {
  /** Samples per JSON workload name (json4k-c4, json50k-c32, ...), every repetition. */
  readonly json: ReadonlyMap<string, readonly JsonSample[]>;
  readonly memory: readonly MemorySample[];
  /** Every start-up measured (spawn to the first 200 from /__proxy/health). */
  readonly startupMs: readonly number[];
}

export interface Goal {
  readonly name: string;
  /** The figure judged, or what the run lacked to measure it. */
  readonly measured: string;
  /** undefined: not measured in this run. */
  readonly met: boolean | undefined;
  /** The figure of each repetition (or each start-up), in the order they were taken. */
  readonly each: readonly string[];
}

const MAX_RSS_MB = 150;
const MAX_STARTUP_MS = 400;

const x = (value: number): string => `${value.toFixed(2)}x`;
const ms = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(2)} ms`;

/** Median CPU us per exchange of a row, main + other threads, beside a throughput figure. */
function cpuOf(samples: readonly JsonSample[] | undefined, row: RowId): string {
  const mine = (samples ?? []).filter((s) => s.row === row && s.cpuMainUs !== undefined);
  if (!mine.length) return `(${row}) -`;
  return `(${row}) ${median(mine.map((s) => s.cpuMainUs ?? NaN)).toFixed(0)}+${median(mine.map((s) => s.cpuOtherUs ?? NaN)).toFixed(0)}`;
}

const notMeasured = (name: string, needs: string): Goal => ({ name, measured: `needs ${needs}`, met: undefined, each: [] });

function throughputGoal(input: GoalInput, workload: string, row: RowId, against: RowId, atLeast: number, name: string): Goal {
  const samples = input.json.get(workload);
  const ratios = paired(samples, row, against, (a, b) => a.rps / b.rps);
  if (!ratios.length) return notMeasured(name, `--only ${workload} with rows ${row} and ${against}`);
  const value = median(ratios);
  return {
    name,
    measured: `${x(value)}; CPU us/exchange main+other ${cpuOf(samples, row)}, ${cpuOf(samples, against)}`,
    met: value >= atLeast,
    each: ratios.map(x),
  };
}

function latencyGoal(input: GoalInput, workload: string, field: 'p50Ms' | 'p99Ms', atMostMs: number, name: string): Goal {
  const diffs = paired(input.json.get(workload), 'b', 'i', (a, b) => a[field] - b[field]);
  if (!diffs.length) return notMeasured(name, `--only ${workload} with rows b and i`);
  const value = median(diffs);
  return { name, measured: ms(value), met: value <= atMostMs, each: diffs.map(ms) };
}

function memoryGoal(input: GoalInput, workload: MemorySample['workload'], name: string): Goal {
  const sample = input.memory.find((s) => s.row === 'b' && s.workload === workload && s.rssBytes !== undefined);
  if (!sample) return notMeasured(name, '--only memory with row b');
  const mb = (sample.rssBytes ?? 0) / 1024 ** 2;
  return { name, measured: `${mb.toFixed(0)} MB`, met: mb < MAX_RSS_MB, each: [] };
}

export function checkGoals(input: GoalInput): Goal[] {
  const startup: Goal = input.startupMs.length
    ? { name: `start-up (spawn to the first 200 from /__proxy/health) below ${MAX_STARTUP_MS} ms`, measured: `${median(input.startupMs).toFixed(0)} ms (median)`, met: median(input.startupMs) < MAX_STARTUP_MS, each: input.startupMs.map((v) => `${v.toFixed(0)} ms`) }
    : notMeasured(`start-up below ${MAX_STARTUP_MS} ms`, '--only startup');
  return [
    throughputGoal(input, 'json4k-c32', 'b', 'i', 0.75, '4 KB JSON, 32 connections: full recording (b) at least 0.75x the stack alone (i), req/s'),
    throughputGoal(input, 'json50k-c32', 'b', 'i', 0.75, '50 KB JSON list, 32 connections: full recording (b) at least 0.75x the stack alone (i), req/s'),
    throughputGoal(input, 'json50k-c32', 'b', 'c', 0.8, '50 KB JSON list, 32 connections: full recording (b) at least 0.8x bodies off (c), req/s'),
    latencyGoal(input, 'json4k-c4', 'p50Ms', 0.2, '4 KB JSON, 4 connections: p50 of (b) at most +0.2 ms over (i)'),
    latencyGoal(input, 'json4k-c4', 'p99Ms', 1, '4 KB JSON, 4 connections: p99 of (b) at most +1 ms over (i)'),
    memoryGoal(input, 'downloads', `peak RSS of (b) below ${MAX_RSS_MB} MB, 4 connections downloading 50 MB answers back to back`),
    memoryGoal(input, 'upload', `peak RSS of (b) below ${MAX_RSS_MB} MB during a 1 GiB upload`),
    startup,
  ];
}

export function goalLines(goals: readonly Goal[]): string[] {
  return goals.map((g) => {
    const verdict = g.met === undefined ? 'not measured' : g.met ? 'met' : 'NOT met';
    const each = g.each.length > 1 ? ` (each: ${g.each.join(', ')})` : '';
    return `- ${verdict}: ${g.name}: ${g.measured}${each}`;
  });
}
