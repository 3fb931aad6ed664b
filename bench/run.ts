// The measurement loops. Rows are interleaved: every repetition visits every row, in an order
// rotated per repetition, so slow drift on a shared machine (other jobs, thermal, page cache)
// spreads over all rows instead of landing on whichever row ran last.
import { fetchOnce, runAutocannon, runDownload, type ClientTls, type LoadOptions, type LoadResult } from './load.js';
import { startCpu } from './cpu.js';
import { measureMemory, type MemoryPlan, type MemorySample } from './memory.js';
import { JSON_PAYLOADS, type PayloadName } from './payloads.js';
import { PeakRss } from './processes.js';
import { ROW_LABELS, type DownloadSample, type JsonSample, type RowId } from './report.js';
import { runWrk } from './wrk.js';

export interface Target {
  readonly row: RowId;
  /** Base URL without a trailing slash. */
  readonly base: string;
  readonly tls?: ClientTls;
  /** The process whose peak RSS and CPU per exchange are reported (the proxy), if any. */
  readonly pid?: number;
}

export interface JsonWorkload {
  readonly name: string;
  readonly connections: number;
  readonly payload: PayloadName;
}

export interface Plan {
  readonly json: readonly JsonWorkload[];
  readonly download: boolean;
  readonly memory: MemoryPlan | undefined;
  readonly reps: number;
  readonly downloadReps: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly downloadBytes: number;
  readonly curl: boolean;
  /** wrk drives every row without a client certificate when installed. */
  readonly wrk: boolean;
}

export interface Measurements {
  readonly json: Map<string, JsonSample[]>;
  readonly download: DownloadSample[];
  readonly memory: MemorySample[];
}

const rotate = <T>(list: readonly T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length] as T);

/** Every row must answer the real payloads before it is timed: a row that answers 502 fast is not fast. */
export async function probeTargets(targets: readonly Target[], payloads: readonly PayloadName[]): Promise<void> {
  for (const target of targets) {
    for (const name of payloads) {
      const { path, body } = JSON_PAYLOADS[name];
      const { status, bytes } = await fetchOnce(`${target.base}${path}`, target.tls, 10);
      if (status !== 200 || bytes !== body.length) {
        throw new Error(`${ROW_LABELS[target.row]} answered ${status} with ${bytes} bytes on ${path}; expected 200 with ${body.length}`);
      }
    }
  }
}

/** wrk where it can be used (no client certificate to present), autocannon otherwise. */
export function runLoad(options: LoadOptions, wrk: boolean): Promise<LoadResult> {
  return wrk && !options.tls ? runWrk(options) : runAutocannon(options);
}

export async function measure(targets: readonly Target[], plan: Plan, log: (line: string) => void): Promise<Measurements> {
  const json = new Map<string, JsonSample[]>(plan.json.map((w) => [w.name, []]));
  const download: DownloadSample[] = [];
  const memory: MemorySample[] = [];
  // curl's --max-time: generous (20 MB/s floor) but bounded.
  const downloadTimeoutS = Math.ceil(30 + plan.downloadBytes / 20e6);

  for (let rep = 0; rep < plan.reps; rep++) {
    for (const workload of plan.json) {
      for (const target of rotate(targets, rep)) {
        const options: LoadOptions = { url: `${target.base}${JSON_PAYLOADS[workload.payload].path}`, connections: workload.connections, durationS: plan.durationS, ...(target.tls ? { tls: target.tls } : {}) };
        if (plan.warmupS > 0) await runLoad({ ...options, durationS: plan.warmupS }, plan.wrk);
        const rss = target.pid !== undefined ? new PeakRss(target.pid) : undefined;
        // Read just around the timed run, not the warm-up.
        const stopCpu = target.pid !== undefined ? startCpu(target.pid) : undefined;
        const result = await runLoad(options, plan.wrk);
        const cpu = stopCpu?.();
        const perExchangeUs = (seconds: number): number => (seconds * 1e6) / Math.max(1, result.requests);
        const sample: JsonSample = {
          row: target.row,
          rep,
          rps: result.rps,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          failures: result.failures,
          rssBytes: rss?.stop(),
          cpuMainUs: cpu && perExchangeUs(cpu.mainS),
          cpuOtherUs: cpu && perExchangeUs(cpu.otherS),
          tool: result.tool,
        };
        json.get(workload.name)?.push(sample);
        log(
          `  rep ${rep + 1}/${plan.reps} ${workload.name.padEnd(11)} ${ROW_LABELS[target.row].padEnd(38)} ${sample.rps.toFixed(0).padStart(6)} req/s  p50 ${sample.p50Ms.toFixed(3)} ms  p99 ${sample.p99Ms.toFixed(3)} ms${cpu ? `  cpu ${sample.cpuMainUs?.toFixed(0)}+${sample.cpuOtherUs?.toFixed(0)} us` : ''} (${result.tool})${sample.failures ? `  FAILURES ${sample.failures}` : ''}`,
        );
      }
    }
    if (plan.download && rep < plan.downloadReps) {
      for (const target of rotate(targets, rep)) {
        const rss = target.pid !== undefined ? new PeakRss(target.pid) : undefined;
        const result = await runDownload(`${target.base}/download`, plan.downloadBytes, target.tls, plan.curl, downloadTimeoutS);
        const sample: DownloadSample = { row: target.row, mbPerS: result.mbPerS, seconds: result.seconds, rssBytes: rss?.stop() };
        download.push(sample);
        log(`  rep ${rep + 1}/${plan.downloadReps} download ${ROW_LABELS[target.row].padEnd(38)} ${sample.mbPerS.toFixed(0).padStart(6)} MB/s  ${sample.seconds.toFixed(2)} s`);
      }
    }
  }
  // Once, after the JSON load, as a user's proxy would have served it: peak RSS is the point here.
  // A failed transfer costs the memory table, not the JSON rows measured before it.
  if (plan.memory) {
    try {
      memory.push(...(await measureMemory(targets.filter((t) => t.pid !== undefined), plan.memory, plan.curl, log)));
    } catch (error) {
      log(`  memory workload failed: ${(error as Error).message}`);
    }
  }
  return { json, download, memory };
}
