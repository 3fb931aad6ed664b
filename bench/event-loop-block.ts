// The longest event-loop block the API document's checks cause: the first checked exchange
// and each further operation's first check, with a synthetic Ons-sized document loaded.
// `node bench/dist/bench/event-loop-block.js [operations] [dist folder]` prints the longest
// block and its p99, beside the same for an idle loop over as long: on a shared machine the
// process is also descheduled, which the histogram cannot tell from a block.
// It imports a built proxy (dist/, or the folder given, e.g. an older commit's build), whose
// config/ data it finds beside it: run `npm run build` first.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type * as OpenApi from '../src/openapi/index.js';
import type { TrafficRecord } from '../src/traffic/record.js';
import { REPO_ROOT } from './paths.js';
import { syntheticOnsDocument } from '../test/support/synthetic-openapi.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

/** A recorded GET of one synthetic `/v0/administration/<resource>/{id}` operation with an answer in its model's shape. */
function recordOf(url: string, index: number): TrafficRecord {
  const message = (body: unknown): TrafficRecord['response'] => ({ headers: { 'content-type': 'application/json' }, body, bodyBytes: 100, bodyTruncated: false, bodyEncoding: 'json' });
  return {
    id: `exchange-${index}`, time: new Date().toISOString(), durationMs: 1, method: 'GET', url, upstreamUrl: `https://upstream.invalid${url}`,
    status: 200, profile: 'default', queuedMs: 0, request: message(''), response: message({ id: 3, unknownField: true }),
  } as TrafficRecord;
}

export interface LoopBlock {
  readonly maxMs: number;
  readonly p99Ms: number;
}

/** The event-loop delay while the loop only yields, for `ms`: the machine's own noise. */
async function idleLoop(ms: number): Promise<LoopBlock> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const end = performance.now() + ms;
  while (performance.now() < end) await new Promise((resolve) => setImmediate(resolve));
  histogram.disable();
  return { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 };
}

export async function measureEventLoopBlock(operations: number, distFolder = path.join(REPO_ROOT, 'dist')): Promise<LoopBlock & { checked: number; idle: LoopBlock; longestStep: { wallMs: number; cpuMs: number } | undefined }> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-loop-'));
  try {
    const file = path.join(folder, 'openapi.json');
    const document = syntheticOnsDocument();
    await writeFile(file, JSON.stringify(document));
    const { ApiKnowledge, apiDocumentFeature } = (await import(pathToFileURL(path.join(distFolder, 'openapi/index.js')).href)) as typeof OpenApi;
    const knowledge = ApiKnowledge.open(file, quiet, { noteAbsentFields: false });
    const feature = apiDocumentFeature(knowledge, { findingsHeader: false, logger: quiet });
    // Loading the document happens before the proxy listens; the block measured is what follows.
    knowledge.current?.warmUp();
    const templates = Object.keys(document.paths as Record<string, unknown>).filter((template) => template.endsWith('/{id}')).slice(0, operations);
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    const started = performance.now();
    histogram.enable();
    let checked = 0;
    for (const [index, template] of templates.entries()) {
      const record = recordOf(template.replace('{id}', '3'), index);
      await feature.annotate(record);
      if (record.findings !== undefined) checked++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    histogram.disable();
    const took = performance.now() - started;
    // Builds from before the checks were scheduled have no scheduler to ask.
    const scheduler = (knowledge.current as { scheduler?: { longestStep: { wallMs: number; cpuMs: number } } } | undefined)?.scheduler;
    const longestStep = scheduler?.longestStep;
    await feature.close?.();
    return { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, checked, idle: await idleLoop(took), longestStep };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('event-loop-block.js')) {
  const operations = Number(process.argv[2] ?? 40);
  const result = await measureEventLoopBlock(operations, process.argv[3] === undefined ? undefined : path.resolve(process.argv[3]));
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  console.log(`${operations} operations' first checks (${result.checked} with findings): longest event-loop block ${ms(result.maxMs)}, p99 ${ms(result.p99Ms)}; idle loop as long: longest ${ms(result.idle.maxMs)}, p99 ${ms(result.idle.p99Ms)}${result.longestStep ? `; longest preparation step ${ms(result.longestStep.wallMs)} (${ms(result.longestStep.cpuMs)} CPU)` : ''}`);
}
