// The Technical Design's field filter on the answer path (`--only design`): the same proxy
// without and with --design, fetching a 50 KB list of Ons-shaped clients (15 fields each, a
// nested address, a list of contacts) of which the design selects 5. Measured like the openapi
// row (paired-cpu.ts): the proxy child's own CPU per exchange, in A-B-B-A order per repetition.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Pki } from './nginx.js';
import { measurePaired, type PairedSample } from './paired-cpu.js';
import { median, type Table } from './report.js';
import { startProxy, type StartedProxy } from './targets.js';
import { findWrk } from './wrk.js';
import { compileSelection, filterJsonText } from '../src/design/field-filter.js';
import { clientListText, SELECTED_FIELDS } from '../test/design/ons-clients.js';

export interface DesignRowOptions {
  readonly pki: Pki;
  readonly maxConcurrency: number;
  readonly dir: string;
  readonly reps: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly log: (line: string) => void;
}

const CONNECTIONS = 4;
const ANSWER_PATH = '/v0/administration/clients';
const LIST = Buffer.from(clientListText(50 * 1024));

/** A small mTLS upstream of its own, answering the list on one path. */
async function startListUpstream(pki: Pki): Promise<{ port: number; close(): Promise<void> }> {
  const server = https.createServer(
    { cert: readFileSync(pki.serverCertPath), key: readFileSync(pki.serverKeyPath), ca: readFileSync(pki.caPath), requestCert: true, rejectUnauthorized: true },
    (request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(LIST.length) }).end(LIST);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function runDesignRow(options: DesignRowOptions): Promise<Table> {
  await mkdir(options.dir, { recursive: true });
  const designFile = path.join(options.dir, 'technical-design.json');
  await writeFile(designFile, JSON.stringify({ useCases: [{ title: 'Bench', endpoints: [{ operation: `GET ${ANSWER_PATH}`, model: 'Client' }] }], models: { Client: SELECTED_FIELDS } }));
  const upstream = await startListUpstream(options.pki);
  const variants = [
    { name: 'without a design', env: { ONS_PROXY_OPENAPI: 'off' } },
    { name: 'with --design (5 of 15 fields)', env: { ONS_PROXY_OPENAPI: 'off', ONS_PROXY_DESIGN: designFile } },
  ] as const;
  const proxies: StartedProxy[] = [];
  const wrk = findWrk() !== undefined;
  let samples: PairedSample[][];
  let answerBytes: number[];
  try {
    for (const [index, variant] of variants.entries()) {
      const logDir = path.join(options.dir, `load-${index}`);
      await mkdir(logDir, { recursive: true });
      proxies.push(await startProxy({ pki: options.pki, upstreamPort: upstream.port, maxConcurrency: options.maxConcurrency, logDir, logBodies: true, console: 'pipe', env: variant.env }));
    }
    answerBytes = await Promise.all(proxies.map(async (proxy) => (await (await fetch(`http://127.0.0.1:${proxy.port}${ANSWER_PATH}`)).arrayBuffer()).byteLength));
    samples = await measurePaired({
      proxies: proxies as [StartedProxy, StartedProxy],
      path: ANSWER_PATH,
      connections: CONNECTIONS,
      reps: options.reps,
      durationS: options.durationS,
      warmupS: options.warmupS,
      onSample: (index, rep, sample) => options.log(`design ${variants[index]?.name} rep ${rep + 1}: ${sample.rps.toFixed(0)} req/s, ${sample.cpuUsPerExchange.toFixed(0)} us CPU per exchange`),
    });
  } finally {
    for (const proxy of proxies) await proxy.stop();
    await upstream.close();
  }
  const summary = variants.map((variant, index) => {
    const list = samples[index] ?? [];
    return { name: variant.name, cpuUs: median(list.map((s) => s.cpuUsPerExchange)), rps: median(list.map((s) => s.rps)), p50Ms: median(list.map((s) => s.p50Ms)), rssMb: Math.max(...list.map((s) => s.rssBytes)) / 1024 ** 2, bytes: answerBytes[index] ?? 0, failures: list.reduce((sum, s) => sum + s.failures, 0) };
  });
  const base = summary[0]?.cpuUs ?? NaN;
  const alone = filterAlone();
  return {
    title: `Technical Design filter: a ${(LIST.length / 1024).toFixed(0)} KB list of ${LIST.toString().split('{"id":').length - 1} Ons-shaped clients (15 fields, nested), ${CONNECTIONS} connections, the design selecting 5 fields; load by ${wrk ? 'wrk' : 'autocannon'}`,
    head: ['proxy', 'answer bytes to the client', 'CPU us per exchange', 'CPU vs without', 'req/s', 'p50 ms', 'peak RSS MB', 'failures'],
    rows: [
      ...summary.map((s) => [s.name, String(s.bytes), s.cpuUs.toFixed(0), `x${(s.cpuUs / base).toFixed(2)}`, s.rps.toFixed(0), s.p50Ms.toFixed(3), s.rssMb.toFixed(1), String(s.failures)]),
      ['the filter alone, in process (bytes to text, filter, text to bytes)', String(alone.bytes), alone.us.toFixed(0), '', '', '', '', ''],
    ],
  };
}

/** CPU per answer of the filter itself, without sockets or recording: what --design adds on the answer's path. */
function filterAlone(): { us: number; bytes: number } {
  const selection = compileSelection(SELECTED_FIELDS);
  let bytes = 0;
  const once = (): void => {
    bytes = Buffer.byteLength(filterJsonText(LIST.toString('utf8'), selection, 'absent', new Set()) ?? '');
  };
  for (let i = 0; i < 200; i++) once();
  const runs = 2000;
  const started = process.cpuUsage();
  for (let i = 0; i < runs; i++) once();
  const used = process.cpuUsage(started);
  return { us: (used.user + used.system) / runs, bytes };
}
