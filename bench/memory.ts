// What stays bounded under sustained large transfers: 4 connections downloading 50 MB answers
// back to back (the Ons limit of requests in flight), and one 1 GiB upload. Peak RSS is the
// measure; throughput is reported so a row that "saves memory" by stalling shows it.
import { runDownload, runUpload } from './load.js';
import { REPEATED_DOWNLOAD_BYTES } from './payloads.js';
import { PeakRss } from './processes.js';
import { ROW_LABELS, type RowId } from './report.js';
import type { Target } from './run.js';

export interface MemoryPlan {
  readonly connections: number;
  readonly durationS: number;
  /** A sparse file of uploadBytes, streamed by curl. */
  readonly uploadFile: string;
  readonly uploadBytes: number;
}

export interface MemorySample {
  readonly row: RowId;
  readonly workload: 'downloads' | 'upload';
  readonly transfers: number;
  readonly mbPerS: number;
  readonly rssBytes: number | undefined;
}

export async function measureMemory(targets: readonly Target[], plan: MemoryPlan, curl: boolean, log: (line: string) => void): Promise<MemorySample[]> {
  const samples: MemorySample[] = [];
  for (const target of targets) {
    // The upload first: RSS a process once reached stays, and would count against the next measurement.
    if (curl) {
      const uploadRss = target.pid !== undefined ? new PeakRss(target.pid) : undefined;
      const upload = await runUpload(`${target.base}/upload`, plan.uploadFile, plan.uploadBytes, Math.ceil(60 + plan.uploadBytes / 20e6));
      const uploaded: MemorySample = { row: target.row, workload: 'upload', transfers: 1, mbPerS: upload.mbPerS, rssBytes: uploadRss?.stop() };
      samples.push(uploaded);
      log(`  memory ${ROW_LABELS[target.row].padEnd(38)} upload of ${(plan.uploadBytes / 1024 ** 3).toFixed(1)} GiB, ${upload.mbPerS.toFixed(0)} MB/s, peak RSS ${mb(uploaded.rssBytes)} MB`);
    }
    const rss = target.pid !== undefined ? new PeakRss(target.pid) : undefined;
    const started = performance.now();
    const deadline = started + plan.durationS * 1000;
    let transfers = 0;
    const loop = async (): Promise<void> => {
      while (performance.now() < deadline) {
        await runDownload(`${target.base}/download-50m`, REPEATED_DOWNLOAD_BYTES, target.tls, curl, 120);
        transfers++;
      }
    };
    await Promise.all(Array.from({ length: plan.connections }, loop));
    const seconds = (performance.now() - started) / 1000;
    const downloads: MemorySample = { row: target.row, workload: 'downloads', transfers, mbPerS: (transfers * REPEATED_DOWNLOAD_BYTES) / 1e6 / seconds, rssBytes: rss?.stop() };
    samples.push(downloads);
    log(`  memory ${ROW_LABELS[target.row].padEnd(38)} ${transfers} x 50 MB on ${plan.connections} connections, ${downloads.mbPerS.toFixed(0)} MB/s, peak RSS ${mb(downloads.rssBytes)} MB`);
  }
  return samples;
}

const mb = (bytes: number | undefined): string => (bytes === undefined ? '-' : (bytes / 1024 / 1024).toFixed(0));
