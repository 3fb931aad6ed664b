// The longest event-loop block the API document's checks cause: the first checked exchange
// and each further operation's first check, with a synthetic Ons-sized document loaded.
// `node bench/dist/bench/event-loop-block.js [operations]` prints the longest block and its p99.
// It imports the built proxy (dist/), whose config/ data it finds beside it: run `npm run build` first.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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

export async function measureEventLoopBlock(operations: number): Promise<{ maxMs: number; p99Ms: number; checked: number }> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-loop-'));
  try {
    const file = path.join(folder, 'openapi.json');
    const document = syntheticOnsDocument();
    await writeFile(file, JSON.stringify(document));
    const { ApiKnowledge, apiDocumentFeature } = (await import(pathToFileURL(path.join(REPO_ROOT, 'dist/openapi/index.js')).href)) as typeof OpenApi;
    const knowledge = ApiKnowledge.open(file, quiet, { noteAbsentFields: false });
    const feature = apiDocumentFeature(knowledge, { findingsHeader: false, logger: quiet });
    // Loading the document happens before the proxy listens; the block measured is what follows.
    knowledge.current?.warmUp();
    const templates = Object.keys(document.paths as Record<string, unknown>).filter((template) => template.endsWith('/{id}')).slice(0, operations);
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    let checked = 0;
    for (const [index, template] of templates.entries()) {
      const record = recordOf(template.replace('{id}', '3'), index);
      await feature.annotate(record);
      if (record.findings !== undefined) checked++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    histogram.disable();
    await feature.close?.();
    return { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, checked };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('event-loop-block.js')) {
  const operations = Number(process.argv[2] ?? 40);
  const result = await measureEventLoopBlock(operations);
  console.log(`${operations} operations' first checks (${result.checked} with findings): longest event-loop block ${result.maxMs.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms`);
}
