// The row with an Ons-sized API document loaded (`--only openapi`): the same proxy with and
// without a synthetic document of ~926 operations and ~790 models, at 4 connections, in one
// interleaved run. Per exchange it measures the proxy child's own CPU time (from /proc), not
// throughput: on a shared machine the CPU an exchange costs is steadier than req/s.
// `node bench/dist/bench/openapi-row.js [exchanges] [dist folder]` measures the annotator alone,
// in process, for quick comparisons (another commit's build given as its dist folder).
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
import { median, type Table } from './report.js';
import { measurePaired, type PairedSample } from './paired-cpu.js';
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
  const proxies: StartedProxy[] = [];
  let samples: PairedSample[][];
  try {
    for (const [index, variant] of variants.entries()) proxies.push(await start(variant, `load-${index}`));
    samples = await measurePaired({
      proxies: proxies as [StartedProxy, StartedProxy],
      path: '/json',
      connections: CONNECTIONS,
      reps: options.reps,
      durationS: options.durationS,
      warmupS: options.warmupS,
      onSample: (index, rep, sample) => options.log(`openapi ${variants[index]?.name} rep ${rep + 1}: ${sample.rps.toFixed(0)} req/s, ${sample.cpuUsPerExchange.toFixed(0)} us CPU per exchange`),
    });
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
