// The targets, checked against one run's ratios. Informational only: timing
// assertions do not belong in the test suite, and one noisy run on a shared machine is not a
// verdict, so nothing here fails the benchmark.
import type { DownloadSummary, JsonSummary } from './report.js';

export interface GoalInput {
  readonly c4: readonly JsonSummary[];
  readonly c32: readonly JsonSummary[];
  readonly download: readonly DownloadSummary[];
  readonly startupMs: number | undefined;
}

interface Goal {
  readonly name: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

const pick = <T extends { row: string }>(list: readonly T[], row: string): T | undefined => list.find((s) => s.row === row);

export function checkGoals(input: GoalInput): Goal[] {
  const goals: Goal[] = [];
  const c32b = pick(input.c32, 'b');
  const c32c = pick(input.c32, 'c');
  const c32d = pick(input.c32, 'd');
  if (c32b && c32d) {
    const r = c32b.rps / c32d.rps;
    goals.push({ name: 'c32 full recording >= 0.3x nginx req/s', measured: `${r.toFixed(2)}x`, met: r >= 0.3 });
  }
  if (c32b && c32c) {
    const cost = 1 - c32b.rps / c32c.rps;
    goals.push({ name: 'full recording at most 15 % slower than no bodies (c32 req/s)', measured: `${(cost * 100).toFixed(1)} % slower`, met: cost <= 0.15 });
  }
  const c4a = pick(input.c4, 'a');
  const c4b = pick(input.c4, 'b');
  if (c4a && c4b) {
    const p50 = c4b.p50Ms - c4a.p50Ms;
    const p99 = c4b.p99Ms - c4a.p99Ms;
    goals.push({ name: 'c4 full recording p50 added <= 1 ms', measured: `${p50.toFixed(2)} ms`, met: p50 <= 1 });
    goals.push({ name: 'c4 full recording p99 added <= 3 ms', measured: `${p99.toFixed(2)} ms`, met: p99 <= 3 });
  }
  const dlb = pick(input.download, 'b');
  const dld = pick(input.download, 'd');
  if (dlb && dld) {
    const r = dlb.mbPerS / dld.mbPerS;
    goals.push({ name: 'download full recording >= 0.6x nginx MB/s', measured: `${r.toFixed(2)}x`, met: r >= 0.6 });
  }
  if (dlb?.rssBytes !== undefined) {
    const mb = dlb.rssBytes / 1024 / 1024;
    goals.push({ name: 'download full recording peak RSS < 150 MB', measured: `${mb.toFixed(0)} MB`, met: mb < 150 });
  }
  if (input.startupMs !== undefined) {
    goals.push({ name: 'startup (spawn to first /__proxy/health 200) < 500 ms', measured: `${input.startupMs.toFixed(0)} ms`, met: input.startupMs < 500 });
  }
  return goals;
}

export function goalLines(goals: readonly Goal[]): string[] {
  return goals.map((g) => `- ${g.met === undefined ? '?' : g.met ? 'met' : 'NOT met'}: ${g.name}: ${g.measured}`);
}
