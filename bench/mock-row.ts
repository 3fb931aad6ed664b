// The mock's row (`--only mock`, or on its own: `node bench/dist/bench/mock-row.js [seconds]`):
// `ons-proxy mock` on the synthetic Ons-sized document (~926 operations, ~790 models, ~3 MB).
// Start-up is spawn to the "listening" line; the first answer of an operation includes
// generating and checking its template; answers/s are one operation's answers, later ones,
// at 4 and 32 connections (the parallel limit raised to 64 as in the other rows, so it is the
// mock that is measured, not the queue); peak RSS covers start-up, first answers and the load.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { syntheticOnsDocument } from '../test/support/synthetic-openapi.js';
import { CLI_PATH, REPO_ROOT } from './paths.js';
import { freePort, PeakRss, spawnTracked, stopChild, tail } from './processes.js';
import { median, renderText, type Table } from './report.js';
import { runLoad } from './run.js';
import { findWrk } from './wrk.js';

export interface MockRowOptions {
  readonly dir: string;
  readonly startups: number;
  readonly durationS: number;
  readonly log: (line: string) => void;
}

export interface MockRowResult {
  readonly table: Table;
  readonly goals: readonly string[];
}

const FIRST_ANSWERS = 5;
const MAX_CONCURRENCY = 64;

export async function runMockRow(options: MockRowOptions): Promise<MockRowResult> {
  await mkdir(options.dir, { recursive: true });
  const document = syntheticOnsDocument();
  const file = path.join(options.dir, 'synthetic.json');
  await writeFile(file, JSON.stringify(document));
  const targets = Object.keys(document.paths as Record<string, unknown>)
    .filter((template) => template.endsWith('/{id}'))
    .slice(0, FIRST_ANSWERS)
    .map((template) => template.replace('{id}', '42'));
  const startupMs: number[] = [];
  const smallStartupMs: number[] = [];
  const firstMs: number[] = [];
  let last: Awaited<ReturnType<typeof startMock>> | undefined;
  for (let run = 0; run < options.startups; run++) {
    await last?.stop();
    // The same command on the demo's 11 operations, interleaved: what the document itself adds to start-up on this machine now.
    const small = await startMock(path.join(REPO_ROOT, 'config', 'demo-openapi.json'), path.join(options.dir, `small-logs-${run}`));
    smallStartupMs.push(small.readyMs);
    await small.stop();
    last = await startMock(file, path.join(options.dir, `logs-${run}`));
    startupMs.push(last.readyMs);
    for (const target of targets) {
      const started = performance.now();
      const answer = await request(`${last.url}${target}`, { headers: { accept: 'application/json' } });
      await answer.body.arrayBuffer();
      if (answer.statusCode !== 200) throw new Error(`${target} answered ${answer.statusCode}`);
      firstMs.push(performance.now() - started);
    }
  }
  if (!last) throw new Error('no start-up measured');
  const wrk = findWrk() !== undefined;
  const url = `${last.url}${targets[0] ?? '/'}`;
  const c4 = await runLoad({ url, connections: 4, durationS: options.durationS }, wrk);
  const c32 = await runLoad({ url, connections: 32, durationS: options.durationS }, wrk);
  const rssBytes = last.peakRss.stop();
  await last.stop();
  options.log(`mock: start-up ${startupMs.map((ms) => ms.toFixed(0)).join(', ')} ms; first answers ${firstMs.map((ms) => ms.toFixed(1)).join(', ')} ms; ${c4.rps.toFixed(0)} answers/s at 4, ${c32.rps.toFixed(0)} at 32`);
  const row = (measure: string, value: string, note: string): string[] => [measure, value, note];
  const table: Table = {
    title: 'ons-proxy mock on an Ons-sized document (926 operations, 790 models)',
    head: ['measure', 'value', 'how'],
    rows: [
      row('start-up', `${median(startupMs).toFixed(0)} ms`, `spawn to "listening", median of ${startupMs.length} (max ${Math.max(...startupMs).toFixed(0)})`),
      row('start-up, the demo document (11 operations)', `${median(smallStartupMs).toFixed(0)} ms`, 'the same, interleaved: the command without a large document'),
      row('first answer of an operation', `${median(firstMs).toFixed(1)} ms`, `median of ${firstMs.length} first calls of ${targets.length} operations (max ${Math.max(...firstMs).toFixed(1)})`),
      row('answers/s, 4 connections', c4.rps.toFixed(0), `${c4.tool}, ${options.durationS} s, p50 ${c4.p50Ms.toFixed(2)} ms, p99 ${c4.p99Ms.toFixed(2)} ms, ${c4.failures} failures`),
      row('answers/s, 32 connections', c32.rps.toFixed(0), `${c32.tool}, ${options.durationS} s, p50 ${c32.p50Ms.toFixed(2)} ms, p99 ${c32.p99Ms.toFixed(2)} ms, ${c32.failures} failures`),
      row('peak RSS', `${(rssBytes / 1024 ** 2).toFixed(0)} MB`, 'start-up, first answers and both loads, the process tree'),
    ],
  };
  const goals = [
    `- mock listening within 1.5 s: ${median(startupMs) <= 1500 ? 'met' : 'not met'} (median ${median(startupMs).toFixed(0)} ms)`,
    `- first answer of an operation within 50 ms: ${Math.max(...firstMs) <= 50 ? 'met' : 'not met'} (max ${Math.max(...firstMs).toFixed(1)} ms)`,
  ];
  return { table, goals };
}

async function startMock(file: string, logDir: string): Promise<{ url: string; readyMs: number; peakRss: PeakRss; stop(): Promise<void> }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawnTracked(process.execPath, [CLI_PATH, 'mock', '--openapi', file], {
    env: { ...process.env, ONS_PROXY_PORT: String(port), ONS_PROXY_LOG_DIR: logDir, ONS_PROXY_MAX_CONCURRENCY: String(MAX_CONCURRENCY) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = tail(child.stderr);
  const readyMs = await new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the mock did not listen within 15 s: ${output()}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (!text.includes('listening on')) return;
      clearTimeout(timer);
      // The console lines of the load are read and dropped, as a terminal would take them.
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      resolve(performance.now() - started);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the mock exited with ${code}: ${output()}`)));
  });
  if (child.pid === undefined) throw new Error('the mock has no pid');
  return { url: `http://127.0.0.1:${port}`, readyMs, peakRss: new PeakRss(child.pid), stop: () => stopChild(child) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(process.argv[2] ?? 3);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-bench-mock-'));
  try {
    const result = await runMockRow({ dir, startups: 3, durationS: seconds, log: (line) => process.stdout.write(`${line}\n`) });
    process.stdout.write(`\n${renderText(result.table)}\n${result.goals.join('\n')}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
