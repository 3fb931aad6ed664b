// The Technical Design's field filter on the answer path (`--only design`): the same proxy
// without and with --design, fetching a 50 KB list of Ons-shaped clients (15 fields each, a
// nested address, a list of contacts) of which the design selects 5. Measured like the openapi
// row: the proxy child's own CPU per exchange (from /proc), in A-B-B-A order per repetition.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Pki } from './nginx.js';
import { cpuSeconds } from './openapi-row.js';
import { PeakRss } from './processes.js';
import { median, type Table } from './report.js';
import { runLoad } from './run.js';
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
  const samples = variants.map(() => [] as Array<{ cpuUs: number; rps: number; p50Ms: number; rssBytes: number; failures: number; bytes: number }>);
  try {
    for (const [index, variant] of variants.entries()) {
      const logDir = path.join(options.dir, `load-${index}`);
      await mkdir(logDir, { recursive: true });
      proxies.push(await startProxy({ pki: options.pki, upstreamPort: upstream.port, maxConcurrency: options.maxConcurrency, logDir, logBodies: true, console: 'pipe', env: variant.env }));
    }
    const answerBytes = await Promise.all(proxies.map(async (proxy) => (await (await fetch(`http://127.0.0.1:${proxy.port}${ANSWER_PATH}`)).arrayBuffer()).byteLength));
    const halfS = Math.max(1, Math.round(options.durationS / 2));
    for (let rep = 0; rep < options.reps; rep++) {
      const first = rep % 2;
      const order = [first, 1 - first, 1 - first, first];
      const totals = variants.map(() => ({ cpuS: 0, requests: 0, seconds: 0, p50Ms: [] as number[], rssBytes: 0, failures: 0 }));
      for (const proxy of proxies) await runLoad({ url: `http://127.0.0.1:${proxy.port}${ANSWER_PATH}`, connections: CONNECTIONS, durationS: options.warmupS }, wrk);
      for (const index of order) {
        const proxy = proxies[index] as StartedProxy;
        const total = totals[index];
        if (!total) continue;
        const pid = proxy.child.pid as number;
        const rss = new PeakRss(pid);
        const cpuBefore = cpuSeconds(pid);
        const load = await runLoad({ url: `http://127.0.0.1:${proxy.port}${ANSWER_PATH}`, connections: CONNECTIONS, durationS: halfS }, wrk);
        total.cpuS += cpuSeconds(pid) - cpuBefore;
        total.requests += load.requests;
        total.seconds += load.requests / Math.max(1, load.rps);
        total.p50Ms.push(load.p50Ms);
        total.rssBytes = Math.max(total.rssBytes, rss.stop());
        total.failures += load.failures;
      }
      for (const [index, total] of totals.entries()) {
        const cpuUs = (total.cpuS * 1e6) / Math.max(1, total.requests);
        const rps = total.requests / Math.max(1e-9, total.seconds);
        samples[index]?.push({ cpuUs, rps, p50Ms: median(total.p50Ms), rssBytes: total.rssBytes, failures: total.failures, bytes: answerBytes[index] ?? 0 });
        options.log(`design ${variants[index]?.name} rep ${rep + 1}: ${rps.toFixed(0)} req/s, ${cpuUs.toFixed(0)} us CPU per exchange`);
      }
    }
  } finally {
    for (const proxy of proxies) await proxy.stop();
    await upstream.close();
  }
  const summary = variants.map((variant, index) => {
    const list = samples[index] ?? [];
    return { name: variant.name, cpuUs: median(list.map((s) => s.cpuUs)), rps: median(list.map((s) => s.rps)), p50Ms: median(list.map((s) => s.p50Ms)), rssMb: Math.max(...list.map((s) => s.rssBytes)) / 1024 ** 2, bytes: list[0]?.bytes ?? 0, failures: list.reduce((sum, s) => sum + s.failures, 0) };
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
