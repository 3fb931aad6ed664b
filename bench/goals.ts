// The issues' targets, checked against one run's ratios. Informational only: timing
// assertions do not belong in the test suite, and one noisy run on a shared machine is not a
// verdict, so nothing here fails the benchmark.
import type { MemorySample } from './memory.js';
import type { DownloadSummary, JsonSummary } from './report.js';

export interface GoalInput {
  /** Summaries per JSON workload name (json-c4, json4k-c32, ...). */
  readonly json: ReadonlyMap<string, readonly JsonSummary[]>;
  readonly download: readonly DownloadSummary[];
  readonly memory: readonly MemorySample[];
  readonly startupMs: number | undefined;
}

interface Goal {
  readonly name: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

const MB = 1024 * 1024;
const pick = <T extends { row: string }>(list: readonly T[] | undefined, row: string): T | undefined => list?.find((s) => s.row === row);

export function checkGoals(input: GoalInput): Goal[] {
  const goals: Goal[] = [];
  const row = (workload: string, id: string): JsonSummary | undefined => pick(input.json.get(workload), id);
  for (const workload of ['json4k-c32', 'json50k-c32']) {
    const full = row(workload, 'b');
    const nginx = row(workload, 'd');
    if (full && nginx) goals.push({ name: `${workload} full recording >= 0.25x nginx req/s`, measured: `${(full.rps / nginx.rps).toFixed(2)}x`, met: full.rps / nginx.rps >= 0.25 });
  }
  const full50 = row('json50k-c32', 'b');
  const bare50 = row('json50k-c32', 'c');
  if (full50 && bare50) {
    const cost = 1 - full50.rps / bare50.rps;
    goals.push({ name: 'json50k-c32 full recording at most 20 % slower than bodies off', measured: `${(cost * 100).toFixed(1)} % slower`, met: cost <= 0.2 });
  }
  const full4 = row('json4k-c4', 'b');
  const nginx4 = row('json4k-c4', 'd');
  if (full4 && nginx4) {
    const p50 = full4.p50Ms - nginx4.p50Ms;
    const p99 = full4.p99Ms - nginx4.p99Ms;
    goals.push({ name: 'json4k-c4 p50 at most +0.5 ms over nginx', measured: `${p50 >= 0 ? '+' : ''}${p50.toFixed(2)} ms`, met: p50 <= 0.5 });
    goals.push({ name: 'json4k-c4 p99 at most +2 ms over nginx', measured: `${p99 >= 0 ? '+' : ''}${p99.toFixed(2)} ms`, met: p99 <= 2 });
  }
  for (const workload of input.json.keys()) {
    const piped = row(workload, 'b');
    const devnull = row(workload, 'g');
    if (piped && devnull) {
      const cost = 1 - piped.rps / devnull.rps;
      goals.push({ name: `${workload} console to a pipe at most 10 % slower than to /dev/null`, measured: `${(cost * 100).toFixed(1)} % slower`, met: cost <= 0.1 });
    }
    const floor = row(workload, 'i');
    const nginxRow = row(workload, 'd');
    if (piped && floor && nginxRow) {
      goals.push({ name: `${workload} the stack alone (i)`, measured: `${(floor.rps / nginxRow.rps).toFixed(2)}x nginx; the proxy with full recording does ${((piped.rps / floor.rps) * 100).toFixed(0)} % of it`, met: undefined });
    }
    const before = row(workload, 'h');
    if (piped && before) {
      const change = piped.rps / before.rps - 1;
      goals.push({ name: `${workload} no more than 15 % below the build before`, measured: `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %`, met: change >= -0.15 });
    }
  }
  const dlb = pick(input.download, 'b');
  const dld = pick(input.download, 'd');
  if (dlb && dld) goals.push({ name: 'download full recording >= 0.6x nginx MB/s', measured: `${(dlb.mbPerS / dld.mbPerS).toFixed(2)}x`, met: dlb.mbPerS / dld.mbPerS >= 0.6 });
  for (const sample of input.memory.filter((s) => s.row === 'b' && s.rssBytes !== undefined)) {
    const mb = (sample.rssBytes ?? 0) / MB;
    goals.push({ name: `${sample.workload === 'downloads' ? '4 connections of 50 MB downloads' : '1 GiB upload'}, full recording, peak RSS <= 150 MB`, measured: `${mb.toFixed(0)} MB`, met: mb <= 150 });
  }
  if (input.startupMs !== undefined) {
    goals.push({ name: 'startup (spawn to first /__proxy/health 200) < 400 ms', measured: `${input.startupMs.toFixed(0)} ms`, met: input.startupMs < 400 });
  }
  return goals;
}

export function goalLines(goals: readonly Goal[]): string[] {
  return goals.map((g) => `- ${g.met === undefined ? 'for reference' : g.met ? 'met' : 'NOT met'}: ${g.name}: ${g.measured}`);
}
