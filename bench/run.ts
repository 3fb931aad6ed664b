// The measurement loops. Rows are interleaved: every repetition visits every row, in an order
// rotated per repetition, so slow drift on a shared machine (other jobs, thermal, page cache)
// spreads over all rows instead of landing on whichever row ran last.
import { fetchOnce, runDownload, runLoad, type ClientTls } from './load.js';
import { PeakRss } from './processes.js';
import { ROW_LABELS, type DownloadSample, type JsonSample, type RowId } from './report.js';
import { JSON_BODY } from './payloads.js';

export interface Target {
  readonly row: RowId;
  /** Base URL without a trailing slash. */
  readonly base: string;
  readonly tls?: ClientTls;
  /** The process whose peak RSS is reported (the proxy), if any. */
  readonly pid?: number;
}

export interface JsonWorkload {
  readonly name: string;
  readonly connections: number;
}

export interface Plan {
  readonly json: readonly JsonWorkload[];
  readonly download: boolean;
  readonly reps: number;
  readonly downloadReps: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly downloadBytes: number;
  readonly curl: boolean;
}

export interface Measurements {
  readonly json: Map<string, JsonSample[]>;
  readonly download: DownloadSample[];
}

const rotate = <T>(list: readonly T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length] as T);

/** Every row must answer the real payload before it is timed: a row that answers 502 fast is not fast. */
export async function probeTargets(targets: readonly Target[]): Promise<void> {
  for (const target of targets) {
    const { status, bytes } = await fetchOnce(`${target.base}/json`, target.tls, 10);
    if (status !== 200 || bytes !== JSON_BODY.length) {
      throw new Error(`${ROW_LABELS[target.row]} answered ${status} with ${bytes} bytes on /json; expected 200 with ${JSON_BODY.length}`);
    }
  }
}

export async function measure(targets: readonly Target[], plan: Plan, log: (line: string) => void): Promise<Measurements> {
  const json = new Map<string, JsonSample[]>(plan.json.map((w) => [w.name, []]));
  const download: DownloadSample[] = [];
  // curl's --max-time: generous (20 MB/s floor) but bounded.
  const downloadTimeoutS = Math.ceil(30 + plan.downloadBytes / 20e6);

  for (let rep = 0; rep < plan.reps; rep++) {
    for (const workload of plan.json) {
      for (const target of rotate(targets, rep)) {
        const url = `${target.base}/json`;
        if (plan.warmupS > 0) await runLoad({ url, connections: workload.connections, durationS: plan.warmupS, ...(target.tls ? { tls: target.tls } : {}) });
        const rss = target.pid !== undefined ? new PeakRss(target.pid) : undefined;
        const result = await runLoad({ url, connections: workload.connections, durationS: plan.durationS, ...(target.tls ? { tls: target.tls } : {}) });
        const sample: JsonSample = { row: target.row, rps: result.rps, p50Ms: result.p50Ms, p99Ms: result.p99Ms, failures: result.failures, rssBytes: rss?.stop() };
        json.get(workload.name)?.push(sample);
        log(
          `  rep ${rep + 1}/${plan.reps} ${workload.name.padEnd(8)} ${ROW_LABELS[target.row].padEnd(31)} ${sample.rps.toFixed(0).padStart(6)} req/s  p50 ${sample.p50Ms.toFixed(3)} ms  p99 ${sample.p99Ms.toFixed(3)} ms${sample.failures ? `  FAILURES ${sample.failures}` : ''}`,
        );
      }
    }
    if (plan.download && rep < plan.downloadReps) {
      for (const target of rotate(targets, rep)) {
        const rss = target.pid !== undefined ? new PeakRss(target.pid) : undefined;
        const result = await runDownload(`${target.base}/download`, plan.downloadBytes, target.tls, plan.curl, downloadTimeoutS);
        const sample: DownloadSample = { row: target.row, mbPerS: result.mbPerS, seconds: result.seconds, rssBytes: rss?.stop() };
        download.push(sample);
        log(`  rep ${rep + 1}/${plan.downloadReps} download ${ROW_LABELS[target.row].padEnd(31)} ${sample.mbPerS.toFixed(0).padStart(6)} MB/s  ${sample.seconds.toFixed(2)} s`);
      }
    }
  }
  return { json, download };
}
