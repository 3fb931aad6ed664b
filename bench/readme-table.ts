// The table the README's performance section holds, from one run: printed by
// `npm run bench -- --readme-table`, written into every results file, and printed again from a
// saved run by `node bench/dist/bench/readme-table.js bench-results/<run>.json`.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { MemorySample } from './memory.js';
import { median, paired, summarizeJson, type JsonSample, type JsonSummary, type RowId } from './report.js';

/** What a run saves beside its markdown (bench-<time>.json), enough to draw the README table again. */
export interface RunResults {
  readonly date: string;
  readonly command: string;
  readonly upstream: string;
  readonly workloads: readonly { readonly name: string; readonly label: string; readonly samples: readonly JsonSample[] }[];
  readonly memory: readonly MemorySample[];
  readonly startupMs: readonly number[];
}

const count = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? '-' : Math.round(value).toLocaleString('en-US'));
const decimals = (value: number | undefined, digits: number): string => (value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits));

export function readmeTable(results: RunResults): string {
  const lines = [
    '| workload | proxy (b) req/s | bodies off (c) | the stack alone (i) | nginx (d) | (b) / (i) | (b) p50 / p99 ms | (b) CPU us/exchange, main / other |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const workload of results.workloads) {
    const summaries = summarizeJson(workload.samples);
    const of = (row: RowId): JsonSummary | undefined => summaries.find((s) => s.row === row);
    const full = of('b');
    const ratio = median(paired(workload.samples, 'b', 'i', (a, b) => a.rps / b.rps));
    lines.push(
      `| ${workload.label} | ${count(full?.rps)} | ${count(of('c')?.rps)} | ${count(of('i')?.rps)} | ${count(of('d')?.rps)} | ${Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '-'} | ${decimals(full?.p50Ms, 2)} / ${decimals(full?.p99Ms, 2)} | ${decimals(full?.cpuMainUs, 0)} / ${decimals(full?.cpuOtherUs, 0)} |`,
    );
  }
  const rss = (workload: MemorySample['workload']): number | undefined => results.memory.find((s) => s.row === 'b' && s.workload === workload)?.rssBytes;
  const extras = [
    results.startupMs.length ? `start-up ${median(results.startupMs).toFixed(0)} ms` : undefined,
    rss('downloads') !== undefined ? `peak RSS ${((rss('downloads') ?? 0) / 1024 ** 2).toFixed(0)} MB with 4 connections of 50 MB downloads` : undefined,
    rss('upload') !== undefined ? `${((rss('upload') ?? 0) / 1024 ** 2).toFixed(0)} MB during a 1 GiB upload` : undefined,
  ].filter((e): e is string => e !== undefined);
  const reps = Math.max(0, ...results.workloads.flatMap((w) => w.samples.map((s) => s.rep + 1)));
  const footer = `Medians of ${reps} repetitions (${results.date}, \`npm run bench -- ${results.command}\`, upstream ${results.upstream}); (b) / (i) is the median of the ratios within each repetition.${extras.length ? ` Full recording (b): ${extras.join(', ')}.` : ''}`;
  return [...lines, '', footer].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node bench/dist/bench/readme-table.js bench-results/<run>.json\n');
    process.exitCode = 2;
  } else {
    try {
      process.stdout.write(`${readmeTable(JSON.parse(readFileSync(file, 'utf8')) as RunResults)}\n`);
    } catch (error) {
      process.stderr.write(`readme-table: cannot read ${file}: ${(error as Error).message} (give the .json a run wrote beside its markdown)\n`);
      process.exitCode = 2;
    }
  }
}
