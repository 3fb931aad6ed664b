// Two proxies measured side by side by the CPU each spends per exchange (from /proc), the way
// the openapi and design rows compare a proxy with and without a feature.
import { readFileSync } from 'node:fs';
import { clockTicksPerSecond, statTicks } from './cpu.js';
import { PeakRss } from './processes.js';
import { median } from './report.js';
import { runLoad } from './run.js';
import type { StartedProxy } from './targets.js';
import { findWrk } from './wrk.js';

/** CPU seconds (user + system) the process used so far. */
export function cpuSeconds(pid: number): number {
  return statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicksPerSecond();
}

export interface PairedSample {
  readonly cpuUsPerExchange: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly rssBytes: number;
  readonly failures: number;
}

export interface PairedRun {
  /** The two proxies: without and with the feature measured. */
  readonly proxies: readonly [StartedProxy, StartedProxy];
  readonly path: string;
  readonly connections: number;
  readonly reps: number;
  readonly durationS: number;
  readonly warmupS: number;
  /** Called after each repetition, per proxy. */
  readonly onSample: (index: number, rep: number, sample: PairedSample) => void;
}

/** Per proxy, one sample per repetition. */
export async function measurePaired(run: PairedRun): Promise<PairedSample[][]> {
  const wrk = findWrk() !== undefined;
  const samples: PairedSample[][] = [[], []];
  const url = (proxy: StartedProxy): string => `http://127.0.0.1:${proxy.port}${run.path}`;
  // Each repetition measures the two proxies in an A-B-B-A order of half-length runs: the load
  // other jobs put on this shared machine drifts over seconds, and a drift that is linear over
  // the repetition then weighs on both proxies alike instead of on whichever ran second.
  const halfS = Math.max(1, Math.round(run.durationS / 2));
  for (let rep = 0; rep < run.reps; rep++) {
    const first = rep % 2;
    const order = [first, 1 - first, 1 - first, first];
    const totals = run.proxies.map(() => ({ cpuS: 0, requests: 0, seconds: 0, p50Ms: [] as number[], rssBytes: 0, failures: 0 }));
    for (const index of new Set(order)) await runLoad({ url: url(run.proxies[index] as StartedProxy), connections: run.connections, durationS: run.warmupS }, wrk);
    for (const index of order) {
      const proxy = run.proxies[index] as StartedProxy;
      const total = totals[index];
      if (!total) continue;
      const pid = proxy.child.pid as number;
      const rss = new PeakRss(pid);
      const cpuBefore = cpuSeconds(pid);
      const load = await runLoad({ url: url(proxy), connections: run.connections, durationS: halfS }, wrk);
      total.cpuS += cpuSeconds(pid) - cpuBefore;
      total.requests += load.requests;
      total.seconds += load.requests / Math.max(1, load.rps);
      total.p50Ms.push(load.p50Ms);
      total.rssBytes = Math.max(total.rssBytes, rss.stop());
      total.failures += load.failures;
    }
    for (const [index, total] of totals.entries()) {
      const sample: PairedSample = {
        cpuUsPerExchange: (total.cpuS * 1e6) / Math.max(1, total.requests),
        rps: total.requests / Math.max(1e-9, total.seconds),
        p50Ms: median(total.p50Ms),
        rssBytes: total.rssBytes,
        failures: total.failures,
      };
      samples[index]?.push(sample);
      run.onSample(index, rep, sample);
    }
  }
  return samples;
}
