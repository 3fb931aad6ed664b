// The row with an Ons-sized API document loaded (`--only openapi`): the same proxy with and
// without a synthetic document of ~926 operations and ~790 models, at 4 connections, in one
// interleaved run. Per exchange it measures the proxy child's own CPU time (from /proc), not
// throughput: on a shared machine the CPU an exchange costs is steadier than req/s.
// `node bench/dist/bench/openapi-row.js [exchanges] [dist folder]` measures the annotator alone,
// in process, for quick comparisons (another commit's build given as its dist folder).
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as OpenApi from '../src/openapi/index.js';
import type * as Traffic from '../src/traffic/index.js';
import type { TrafficRecord } from '../src/traffic/record.js';
import type { Pki } from './nginx.js';
import { REPO_ROOT } from './paths.js';
import { JSON_BODY } from './payloads.js';
import { PeakRss } from './processes.js';
import { median, type Table } from './report.js';
import { runLoad } from './run.js';
import { startProxy, type StartedProxy } from './targets.js';
import { findWrk } from './wrk.js';
import { syntheticOnsDocument } from '../test/support/synthetic-openapi.js';

export interface OpenApiRowOptions {
  readonly pki: Pki;
  readonly upstreamPort: number;
  readonly maxConcurrency: number;
  readonly dir: string;
  readonly reps: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly startups: number;
  readonly log: (line: string) => void;
}

export interface OpenApiRowResult {
  readonly table: Table;
  /** The issue's targets, one line each. */
  readonly goals: readonly string[];
}

const CONNECTIONS = 4;
const CLOCK_TICKS_PER_S = 100;

/**
 * The synthetic document, plus the upstream's /json as an operation whose answer model fits
 * the answer, as most answers fit theirs: every exchange is matched and checked, and the cost
 * measured is that of checking, not of describing findings.
 */
export function benchDocument(): Record<string, unknown> {
  const document = syntheticOnsDocument();
  const paths = document.paths as Record<string, unknown>;
  const schemas = (document.components as { schemas: Record<string, unknown> }).schemas;
  const optional = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extra${i}`, i % 3 === 0 ? { type: 'string', format: 'date', nullable: true } : i % 3 === 1 ? { type: 'integer', format: 'int64' } : { type: 'string' }]));
  schemas['bench.Client'] = {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'integer', format: 'int64' }, objectId: { type: 'string' }, firstName: { type: 'string' }, lastName: { type: 'string' }, active: { type: 'boolean' }, ...optional },
  };
  schemas['bench.list.ClientList'] = { type: 'object', properties: { data: { type: 'array', items: { $ref: '#/components/schemas/bench.Client' } }, pad: { type: 'string' } } };
  paths['/json'] = {
    get: {
      operationId: 'BenchAPI.json',
      summary: 'The benchmark upstream answer',
      tags: ['Bench'],
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/bench.list.ClientList' } } } } },
    },
  };
  return document;
}

/** CPU seconds (user + system) the process used so far. */
export function cpuSeconds(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

interface Sample {
  readonly cpuUsPerExchange: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly rssBytes: number;
  readonly failures: number;
}

export async function runOpenApiRow(options: OpenApiRowOptions): Promise<OpenApiRowResult> {
  const documentFile = path.join(options.dir, 'synthetic-openapi.json');
  await mkdir(options.dir, { recursive: true });
  await writeFile(documentFile, JSON.stringify(benchDocument()));
  const variants = [
    { name: 'without document', env: { ONS_PROXY_OPENAPI: 'off' } },
    { name: 'with document', env: { ONS_PROXY_OPENAPI: documentFile } },
  ] as const;
  const start = async (variant: (typeof variants)[number], label: string): Promise<StartedProxy> => {
    const logDir = path.join(options.dir, label);
    await mkdir(logDir, { recursive: true });
    return startProxy({ pki: options.pki, upstreamPort: options.upstreamPort, maxConcurrency: options.maxConcurrency, logDir, logBodies: true, console: 'pipe', env: variant.env });
  };

  const startupMs: number[][] = variants.map(() => []);
  for (let i = 0; i < options.startups; i++) {
    for (const [index, variant] of variants.entries()) {
      const proxy = await start(variant, `startup-${index}-${i}`);
      startupMs[index]?.push(proxy.readyMs);
      await proxy.stop();
    }
  }

  const wrk = findWrk() !== undefined;
  const proxies = [];
  for (const [index, variant] of variants.entries()) proxies.push(await start(variant, `load-${index}`));
  const samples: Sample[][] = variants.map(() => []);
  // Each repetition measures the two proxies in an A-B-B-A order of half-length runs: the load
  // other jobs put on this shared machine drifts over seconds, and a drift that is linear over
  // the repetition then weighs on both proxies alike instead of on whichever ran second.
  const halfS = Math.max(1, Math.round(options.durationS / 2));
  try {
    for (let rep = 0; rep < options.reps; rep++) {
      const first = rep % variants.length;
      const order = [first, 1 - first, 1 - first, first];
      const totals = variants.map(() => ({ cpuS: 0, requests: 0, seconds: 0, p50Ms: [] as number[], rssBytes: 0, failures: 0 }));
      for (const index of new Set(order)) {
        const proxy = proxies[index] as StartedProxy;
        await runLoad({ url: `http://127.0.0.1:${proxy.port}/json`, connections: CONNECTIONS, durationS: options.warmupS }, wrk);
      }
      for (const index of order) {
        const proxy = proxies[index] as StartedProxy;
        const total = totals[index];
        if (!total) continue;
        const pid = proxy.child.pid as number;
        const rss = new PeakRss(pid);
        const cpuBefore = cpuSeconds(pid);
        const load = await runLoad({ url: `http://127.0.0.1:${proxy.port}/json`, connections: CONNECTIONS, durationS: halfS }, wrk);
        total.cpuS += cpuSeconds(pid) - cpuBefore;
        total.requests += load.requests;
        total.seconds += load.requests / Math.max(1, load.rps);
        total.p50Ms.push(load.p50Ms);
        total.rssBytes = Math.max(total.rssBytes, rss.stop());
        total.failures += load.failures;
      }
      for (const [index, total] of totals.entries()) {
        const cpuUsPerExchange = (total.cpuS * 1e6) / Math.max(1, total.requests);
        const rps = total.requests / Math.max(1e-9, total.seconds);
        samples[index]?.push({ cpuUsPerExchange, rps, p50Ms: median(total.p50Ms), rssBytes: total.rssBytes, failures: total.failures });
        options.log(`openapi ${variants[index]?.name} rep ${rep + 1}: ${rps.toFixed(0)} req/s, ${cpuUsPerExchange.toFixed(0)} us CPU per exchange`);
      }
    }
  } finally {
    for (const proxy of proxies) await proxy.stop();
  }

  const summary = variants.map((variant, index) => {
    const list = samples[index] ?? [];
    return {
      name: variant.name,
      cpuUs: median(list.map((s) => s.cpuUsPerExchange)),
      rps: median(list.map((s) => s.rps)),
      p50Ms: median(list.map((s) => s.p50Ms)),
      rssMb: Math.max(...list.map((s) => s.rssBytes)) / 1024 ** 2,
      startupMs: median(startupMs[index] ?? []),
      failures: list.reduce((sum, s) => sum + s.failures, 0),
    };
  });
  const [off, on] = summary as [(typeof summary)[number], (typeof summary)[number]];
  const cpuRatio = on.cpuUs / off.cpuUs;
  // Each repetition's own ratio, its two proxies measured side by side: how far the medians' ratio is from the noise.
  const repetitionRatios = (samples[1] ?? []).map((sample, rep) => sample.cpuUsPerExchange / (samples[0]?.[rep]?.cpuUsPerExchange ?? NaN));
  const table: Table = {
    title: `1 KB JSON, ${CONNECTIONS} connections, without and with a synthetic Ons-sized API document (926 operations, 790 models; every exchange matched and checked, its answer fits its model); load by ${wrk ? 'wrk' : 'autocannon'}`,
    head: ['proxy', 'CPU us per exchange', 'req/s', 'p50 ms', 'peak RSS MB', 'startup ms', 'failures'],
    rows: summary.map((s) => [s.name, s.cpuUs.toFixed(0), s.rps.toFixed(0), s.p50Ms.toFixed(3), s.rssMb.toFixed(1), s.startupMs.toFixed(0), String(s.failures)]),
  };
  const goals = [
    `- CPU per exchange with the document: x${cpuRatio.toFixed(3)} of without (target <= x1.10): ${cpuRatio <= 1.1 ? 'met' : 'NOT met'}; each repetition's own ratio: ${repetitionRatios.map((ratio) => `x${ratio.toFixed(3)}`).join(', ')}`,
    `- peak RSS: ${signedMb(on.rssMb - off.rssMb)} (target <= +40 MB): ${on.rssMb - off.rssMb <= 40 ? 'met' : 'NOT met'}`,
    `- start-up with the document: ${on.startupMs.toFixed(0)} ms, without ${off.startupMs.toFixed(0)} ms (target < 500 ms): ${on.startupMs < 500 ? 'met' : 'NOT met'}`,
  ];
  return { table, goals };
}

function signedMb(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)} MB`;
}

export interface AnnotatorCost {
  /** CPU microseconds per exchange: building a record like the proxy's for /json, then with its JSON body parsed, then annotated. */
  readonly recordUs: number;
  readonly parsedUs: number;
  readonly annotatedUs: number;
}

/**
 * The annotator's cost per exchange in this process, the document loaded and the /json
 * operation prepared: no sockets, so it shows the checks' own work (a JSON answer parsed,
 * validated and walked, the operation matched) apart from the machine's noise. The proxy
 * under load pays more per exchange (colder caches, collection), which the row above measures.
 */
export async function measureAnnotator(exchanges: number, distFolder = path.join(REPO_ROOT, 'dist')): Promise<AnnotatorCost> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-annotator-'));
  try {
    const file = path.join(folder, 'openapi.json');
    await writeFile(file, JSON.stringify(benchDocument()));
    const { ApiKnowledge, apiDocumentFeature } = (await import(pathToFileURL(path.join(distFolder, 'openapi/index.js')).href)) as typeof OpenApi;
    const { JsonBody } = (await import(pathToFileURL(path.join(distFolder, 'traffic/index.js')).href)) as typeof Traffic;
    const quiet = { info() {}, warn() {}, error() {}, debug() {} };
    const knowledge = ApiKnowledge.open(file, quiet, { noteAbsentFields: false });
    const feature = apiDocumentFeature(knowledge, { findingsHeader: false, logger: quiet });
    const record = (): TrafficRecord => ({
      id: 'exchange', time: new Date().toISOString(), durationMs: 0.8, method: 'GET', url: '/json', upstreamUrl: 'https://127.0.0.1:8443/json', status: 200, profile: 'default', queuedMs: 0,
      request: { headers: { host: '127.0.0.1:8080' }, body: '', bodyBytes: 0, bodyTruncated: false, bodyEncoding: 'text' },
      response: { headers: { 'content-type': 'application/json', 'content-length': String(JSON_BODY.length) }, body: new JsonBody(JSON_BODY), bodyBytes: JSON_BODY.length, bodyTruncated: false, bodyEncoding: 'json' },
    });
    // The first exchange waits for its operation's checks to be prepared, as in the proxy.
    await feature.annotate(record());
    const perExchange = (work: () => void): number => {
      for (let i = 0; i < Math.min(exchanges, 20_000); i++) work();
      const started = process.cpuUsage();
      for (let i = 0; i < exchanges; i++) work();
      const used = process.cpuUsage(started);
      return (used.user + used.system) / exchanges;
    };
    let kept: unknown;
    const recordUs = perExchange(() => (kept = record()));
    const parsedUs = perExchange(() => (kept = (record().response.body as InstanceType<typeof JsonBody>).value));
    const annotatedUs = perExchange(() => {
      const annotated = record();
      void feature.annotate(annotated);
      if (annotated.operation === undefined || annotated.findings !== undefined) throw new Error(`the /json exchange was not annotated as expected: ${JSON.stringify({ operation: annotated.operation, findings: annotated.findings, notChecked: annotated.notChecked })}`);
      kept = annotated;
    });
    void kept;
    await feature.close?.();
    return { recordUs, parsedUs, annotatedUs };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('openapi-row.js')) {
  const exchanges = Number(process.argv[2] ?? 200_000);
  const cost = await measureAnnotator(exchanges, process.argv[3] === undefined ? undefined : path.resolve(process.argv[3]));
  const us = (value: number): string => `${value.toFixed(2)} us`;
  console.log(`per exchange, ${exchanges} exchanges in process: record ${us(cost.recordUs)}; its JSON answer parsed ${us(cost.parsedUs - cost.recordUs)}; the annotator (parse, match, checks) ${us(cost.annotatedUs - cost.recordUs)}`);
}
