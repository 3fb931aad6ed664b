// `npm run bench`: the proxy against its floor (the upstream directly) and against nginx, in
// one interleaved run. See BENCHMARKS.md for what each row means and how to read the result.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeDemoPki } from '../src/demo/index.js';
import { findCaddy, findMitmdump, startCaddyProxy, startMitmProxy } from './alternatives.js';
import { checkGoals, goalLines } from './goals.js';
import { hasCurl } from './load.js';
import { describeMachine, loadAverage, machineMarkdown } from './machine.js';
import { findNginx, startNginxProxy, startNginxUpstream, type Pki } from './nginx.js';
import { freePort, installCleanup } from './processes.js';
import { JSON_PAYLOADS } from './payloads.js';
import { downloadTable, jsonTable, median, memoryTable, renderMarkdown, renderText, ROW_LABELS, ROW_ORDER, summarizeDownload, summarizeJson, type RowId, type Table } from './report.js';
import { readmeTable, type RunResults } from './readme-table.js';
import { measure, probeTargets, type JsonWorkload, type Measurements, type Target } from './run.js';
import { runInspectorRow } from './inspector-row.js';
import { runLogReadingRow } from './log-reading-row.js';
import { runOpenApiRow, type OpenApiRowResult } from './openapi-row.js';
import { runMockRow, type MockRowResult } from './mock-row.js';
import { runDesignRow } from './design-row.js';
import { REPO_ROOT } from './paths.js';
import { CONSOLE_TARGETS, startNodeUpstream, startProxy, startStackFloor, type ConsoleTarget } from './targets.js';
import { findWrk } from './wrk.js';

/** The realistic rows first (an Ons client, a page of clients); the 1 KB rows are the earlier rounds' workload. */
const JSON_WORKLOADS: readonly JsonWorkload[] = [
  { name: 'json4k-c4', connections: 4, payload: '4k' },
  { name: 'json4k-c32', connections: 32, payload: '4k' },
  { name: 'json50k-c4', connections: 4, payload: '50k' },
  { name: 'json50k-c32', connections: 32, payload: '50k' },
  { name: 'json-c4', connections: 4, payload: '1k' },
  { name: 'json-c32', connections: 32, payload: '1k' },
];
const workloadLabel = (w: JsonWorkload): string => `${JSON_PAYLOADS[w.payload].label}, ${w.connections} connections`;
const WORKLOADS = [...JSON_WORKLOADS.map((w) => w.name), 'download', 'memory', 'startup', 'openapi', 'mock', 'design', 'inspector', 'logs'] as const;
const HELP = `npm run bench -- [options]
  --upstream node|nginx  the mTLS upstream: a Node https server (default) or nginx (if installed)
  --quick                smoke run: 1 repetition, 2 s per row, 128 MB download, 3 startups
  --duration <s>         seconds per JSON measurement (default 4; --quick 2)
  --reps <n>             repetitions of every JSON row (default 5; --quick 1); downloads: min(n, 3)
  --download-mb <n>      size of the streamed download in MiB (default 1024)
  --only <list>          comma-separated subset of: ${WORKLOADS.join(', ')} (openapi: with and without an Ons-sized API document; design: with and without a Technical Design filtering a 50 KB list; inspector: 100k records in Chromium; logs: reading a 1 GiB log against grep -c)
  --console pipe|file|devnull  where the proxies' console lines go (default pipe: a child process reads them)
  --console-cost         adds row (g): the full-recording proxy with its console to /dev/null
  --baseline <main.js>   adds row (h): another build's dist/cli/main.js (e.g. a worktree of the commit before)
  --no-stack-floor       leaves out row (i): fastify + @fastify/http-proxy + undici with none of the proxy's code
  --rows <list>          only these rows, e.g. b,c,i,d for issue 26 (a: direct, slow with autocannon; g and h as with
                         --console-cost and --baseline; d, e, f need nginx, Caddy, mitmproxy installed)
  --memory-s <s>         seconds of 50 MB downloads on 4 connections in the memory workload (default 20, as issue 26 asks; --quick 5)
  --cpu-prof             run proxy (b) under node --cpu-prof; the profile lands in bench-results/profiles/
  --out <file>           markdown results (default bench-results/bench-<timestamp>.md); the samples go beside it as .json
  --readme-table         print the table of the README's performance section at the end (it is in the markdown anyway);
                         from a saved run: node bench/dist/bench/readme-table.js bench-results/<run>.json
`;
/** Why a row named in --rows may be unable to run. */
const ROW_NEEDS: Partial<Record<RowId, string>> = {
  d: 'nginx is not installed: apt-get install nginx-light',
  e: 'Caddy is not installed: apt-get install caddy',
  f: 'mitmproxy is not installed: apt-get install mitmproxy',
  i: 'leave out --no-stack-floor',
};
// High enough for c32: the default of 4 (the Ons API's limit) would queue 28 of 32 requests.
const PROXY_MAX_CONCURRENCY = 64;
const UPLOAD_BYTES = 1024 ** 3;
/** The workloads issue 26's targets are about; a run of none of them (e.g. --only mock) skips the list. */
const measuresIssue26 = (only: readonly string[]): boolean => ['json4k-c4', 'json4k-c32', 'json50k-c32', 'memory', 'startup'].some((w) => only.includes(w));
const GOALS_HEADING = "Against the targets, issue 26's first (one run, informational; a ratio or difference is the median of those taken within each repetition, every repetition's after \"each\"):";


function options() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      upstream: { type: 'string', default: 'node' },
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      reps: { type: 'string' },
      'download-mb': { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      out: { type: 'string' },
      console: { type: 'string', default: 'pipe' },
      'console-cost': { type: 'boolean', default: false },
      baseline: { type: 'string' },
      'no-stack-floor': { type: 'boolean', default: false },
      'memory-s': { type: 'string' },
      rows: { type: 'string' },
      'readme-table': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const number = (text: string | undefined, fallback: number, name: string): number => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  if (values.upstream !== 'node' && values.upstream !== 'nginx') throw new Error('--upstream must be node or nginx');
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...WORKLOADS];
  for (const w of only) if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`--only: unknown workload "${w}" (${WORKLOADS.join(', ')})`);
  const quick = values.quick;
  const isRow = (text: string): text is RowId => (ROW_ORDER as readonly string[]).includes(text);
  const rows = values.rows?.split(',').map((text) => {
    const row = text.trim();
    if (!isRow(row)) throw new Error(`--rows: unknown row "${row}" (${ROW_ORDER.join(', ')})`);
    return row;
  });
  if (rows?.includes('h') && values.baseline === undefined) throw new Error('--rows h: row (h) needs --baseline <the other build\'s dist/cli/main.js>');
  if (!(CONSOLE_TARGETS as readonly string[]).includes(values.console)) throw new Error(`--console must be one of ${CONSOLE_TARGETS.join(', ')}`);
  if (values.baseline !== undefined && !existsSync(values.baseline)) throw new Error(`--baseline: ${values.baseline} does not exist (give the other build's dist/cli/main.js)`);
  // This machine's speed drifts by a third within minutes: five short interleaved repetitions
  // give steadier medians than three long ones in the same time.
  const reps = Math.round(number(values.reps, quick ? 1 : 5, 'reps'));
  const durationS = number(values.duration, quick ? 2 : 4, 'duration');
  return {
    help: values.help,
    upstream: values.upstream,
    only,
    reps,
    durationS,
    warmupS: Math.min(1, durationS / 4),
    downloadReps: Math.min(reps, 3),
    downloadBytes: Math.round(number(values['download-mb'], quick ? 128 : 1024, 'download-mb') * 1024 * 1024),
    startups: quick ? 3 : 7,
    cpuProf: values['cpu-prof'],
    console: values.console as ConsoleTarget,
    consoleCost: values['console-cost'],
    baseline: values.baseline,
    stackFloor: !values['no-stack-floor'],
    /** undefined: every row that can run. */
    rows,
    readmeTable: values['readme-table'],
    memoryS: number(values['memory-s'], quick ? 5 : 20, 'memory-s'),
    out: values.out ?? path.join(REPO_ROOT, 'bench-results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.md`),
  };
}

async function main(): Promise<number> {
  const opts = options();
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  installCleanup();
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const nginx = findNginx();
  const curl = hasCurl();
  const wrk = findWrk();
  if (opts.upstream === 'nginx' && !nginx) throw new Error('--upstream nginx: nginx is not installed (e.g. apt-get install nginx-light)');
  const alternatives = { caddy: findCaddy(), mitmdump: findMitmdump() };
  const machine = describeMachine(nginx, alternatives, curl, wrk);
  const loadBefore = loadAverage();
  const notes: string[] = [
    `Proxy rows run \`node dist/cli/main.js start\` as a child, configured by ONS_PROXY_* variables, with ONS_PROXY_MAX_CONCURRENCY=${PROXY_MAX_CONCURRENCY} (the default 4 is the Ons API's limit and would queue the c32 workload).`,
    wrk
      ? `Load: wrk ${wrk} (one thread, keep-alive) for every row without a client certificate; autocannon in the benchmark process for row (a), which needs one. The tool column names it per row.`
      : 'Load: autocannon in the benchmark process for every row (wrk is not installed: apt-get install wrk); latencies are recorded per response in microseconds.',
    `Console: the proxies' stdout goes to ${opts.console === 'pipe' ? 'a pipe read by a child process (cat), as under Docker, systemd or CI' : opts.console === 'file' ? 'a file in the log folder' : '/dev/null'}.`,
  ];
  if (!nginx) notes.push('nginx is not installed: row (d), the ratios against it and --upstream nginx are skipped (apt-get install nginx-light).');
  if (!alternatives.caddy || !alternatives.mitmdump) notes.push('Caddy and mitmproxy, the other tools a developer might pick, get rows (e) and (f) when installed (apt-get install caddy mitmproxy).');
  if (os.loadavg()[0]! > machine.cores * 0.5) notes.push(`The machine was busy before the run (load ${loadBefore} on ${machine.cores} cores): expect noise.`);

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-bench-'));
  // Started by root, nginx's workers run as an unprivileged user: they must be able to walk
  // into the temp dir to read the download file. Keys stay 0600 (only nginx's master reads them).
  await chmod(tmp, 0o755);
  const stops: (() => Promise<void>)[] = [];
  try {
    const demo = await writeDemoPki(path.join(tmp, 'pki'));
    const pki: Pki = { caPath: demo.ca.certPath, serverCertPath: demo.server.certPath, serverKeyPath: demo.server.keyPath, clientCertPath: demo.client.certPath, clientKeyPath: demo.client.keyPath };
    const clientTls = { certPath: pki.clientCertPath, keyPath: pki.clientKeyPath, caPath: pki.caPath };

    log(`upstream: ${opts.upstream}`);
    const upstream = opts.upstream === 'nginx' && nginx
      ? await startNginxUpstream(nginx, path.join(tmp, 'nginx-upstream'), await freePort(), pki, opts.downloadBytes)
      : await startNodeUpstream(pki, opts.downloadBytes);
    stops.push(upstream.stop);
    const proxyBase = { pki, upstreamPort: upstream.port, maxConcurrency: PROXY_MAX_CONCURRENCY, console: opts.console };

    const startupMs: number[] = [];
    if (opts.only.includes('startup')) {
      for (let i = 0; i < opts.startups; i++) {
        const logDir = path.join(tmp, `startup-${i}`);
        await mkdir(logDir, { recursive: true });
        const proxy = await startProxy({ ...proxyBase, logDir, logBodies: true });
        startupMs.push(proxy.readyMs);
        await proxy.stop();
      }
      log(`startup: ${startupMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    }

    const openapi: OpenApiRowResult | undefined = opts.only.includes('openapi')
      ? await runOpenApiRow({ ...proxyBase, dir: path.join(tmp, 'openapi'), reps: opts.reps, durationS: opts.durationS, warmupS: opts.warmupS, startups: opts.startups, log })
      : undefined;
    const design: Table | undefined = opts.only.includes('design')
      ? await runDesignRow({ pki, maxConcurrency: PROXY_MAX_CONCURRENCY, dir: path.join(tmp, 'design'), reps: opts.reps, durationS: opts.durationS, warmupS: opts.warmupS, log })
      : undefined;

    const mock: MockRowResult | undefined = opts.only.includes('mock')
      ? await runMockRow({ dir: path.join(tmp, 'mock'), startups: opts.startups, durationS: opts.durationS, log })
      : undefined;

    const inspectorTable = opts.only.includes('inspector')
      ? await runInspectorRow({ ...proxyBase, dir: path.join(tmp, 'inspector'), reps: Math.min(opts.reps, 3), log })
      : undefined;

    const logReading = opts.only.includes('logs') ? await runLogReadingRow({ dir: path.join(tmp, 'log-reading'), bytes: Number(process.env.BENCH_LOG_MB ?? 1024) * 1024 ** 2, log }) : undefined;

    const json = JSON_WORKLOADS.filter((w) => opts.only.includes(w.name));
    const download = opts.only.includes('download');
    const memory = opts.only.includes('memory');
    let tables: Table[] = [];
    let goalsText: string[] = [];
    let measured: Measurements | undefined;
    if (json.length || download || memory) {
      const profileDir = path.join(REPO_ROOT, 'bench-results', 'profiles');
      if (opts.cpuProf) await mkdir(profileDir, { recursive: true });
      const dirs = ['full', 'nobodies', 'devnull', 'baseline'].map((name) => path.join(tmp, name));
      for (const dir of dirs) await mkdir(dir, { recursive: true });
      // A row runs when --rows names it, or when there is no --rows and its tool (and option) is there.
      const wanted = (row: RowId, available = true): boolean => {
        if (opts.rows === undefined) return available;
        if (!opts.rows.includes(row)) return false;
        if (!available) throw new Error(`--rows ${row}: ${ROW_LABELS[row]} cannot run here (${ROW_NEEDS[row] ?? 'unavailable'})`);
        return true;
      };
      const targets: Target[] = [];
      if (wanted('a')) targets.push({ row: 'a', base: `https://127.0.0.1:${upstream.port}`, tls: clientTls });
      if (wanted('b')) {
        const full = await startProxy({ ...proxyBase, logDir: dirs[0]!, logBodies: true, ...(opts.cpuProf ? { cpuProfDir: profileDir } : {}) });
        stops.push(full.stop);
        targets.push({ row: 'b', base: `http://127.0.0.1:${full.port}`, pid: full.child.pid! });
      }
      if (wanted('c')) {
        const noBodies = await startProxy({ ...proxyBase, logDir: dirs[1]!, logBodies: false });
        stops.push(noBodies.stop);
        targets.push({ row: 'c', base: `http://127.0.0.1:${noBodies.port}`, pid: noBodies.child.pid! });
      }
      if (opts.rows?.includes('g') || (opts.consoleCost && wanted('g'))) {
        const quiet = await startProxy({ ...proxyBase, logDir: dirs[2]!, logBodies: true, console: 'devnull' });
        stops.push(quiet.stop);
        targets.push({ row: 'g', base: `http://127.0.0.1:${quiet.port}`, pid: quiet.child.pid! });
      }
      if (opts.baseline && wanted('h')) {
        const before = await startProxy({ ...proxyBase, logDir: dirs[3]!, logBodies: true, cliPath: opts.baseline });
        stops.push(before.stop);
        targets.push({ row: 'h', base: `http://127.0.0.1:${before.port}`, pid: before.child.pid! });
      }
      if (wanted('i', opts.stackFloor)) {
        const floor = await startStackFloor(pki, upstream.port);
        stops.push(floor.stop);
        targets.push({ row: 'i', base: `http://127.0.0.1:${floor.port}`, pid: floor.child.pid! });
      }
      if (wanted('d', nginx !== undefined) && nginx) {
        const proxy = await startNginxProxy(nginx, path.join(tmp, 'nginx-proxy'), await freePort(), upstream.port, pki);
        stops.push(proxy.stop);
        targets.push({ row: 'd', base: `http://127.0.0.1:${proxy.port}`, pid: proxy.child.pid! });
      }
      if (wanted('e', alternatives.caddy !== undefined) && alternatives.caddy) {
        const caddy = await startCaddyProxy(alternatives.caddy, path.join(tmp, 'caddy'), await freePort(), upstream.port, pki);
        stops.push(caddy.stop);
        targets.push({ row: 'e', base: `http://127.0.0.1:${caddy.port}`, pid: caddy.child.pid! });
      }
      if (wanted('f', alternatives.mitmdump !== undefined) && alternatives.mitmdump) {
        const mitm = await startMitmProxy(alternatives.mitmdump, path.join(tmp, 'mitmproxy'), await freePort(), upstream.port, pki);
        stops.push(mitm.stop);
        targets.push({ row: 'f', base: `http://127.0.0.1:${mitm.port}`, pid: mitm.child.pid! });
      }
      if (!targets.length) throw new Error('--rows leaves no row to measure');
      await probeTargets(targets, [...new Set(json.map((w) => w.payload))]);
      let uploadFile = '';
      if (memory) {
        uploadFile = path.join(tmp, 'upload.bin');
        const handle = await open(uploadFile, 'w');
        await handle.truncate(UPLOAD_BYTES);
        await handle.close();
      }
      if (json.length) log(`measuring ${targets.length} rows x ${opts.reps} repetitions, ${opts.durationS} s each (+${opts.warmupS} s warm-up)`);
      const plan = {
        json,
        download,
        memory: memory ? { connections: 4, durationS: opts.memoryS, uploadFile, uploadBytes: UPLOAD_BYTES } : undefined,
        reps: opts.reps,
        downloadReps: opts.downloadReps,
        durationS: opts.durationS,
        warmupS: opts.warmupS,
        downloadBytes: opts.downloadBytes,
        curl,
        wrk: wrk !== undefined,
      };
      const results = await measure(targets, plan, log);
      measured = results;
      const summaries = new Map(json.map((w) => [w.name, summarizeJson(results.json.get(w.name) ?? [])]));
      const dl = summarizeDownload(results.download);
      tables = [
        ...json.map((w) => jsonTable(`${workloadLabel(w)} (${w.name})`, summaries.get(w.name) ?? [])),
        ...(dl.length ? [downloadTable(`${(opts.downloadBytes / 1024 ** 2).toFixed(0)} MiB streamed download, 1 connection`, dl)] : []),
        ...(results.memory.length ? [memoryTable(`Memory: 50 MB answers back to back on 4 connections for ${opts.memoryS} s, then one ${(UPLOAD_BYTES / 1024 ** 3).toFixed(0)} GiB upload`, results.memory)] : []),
      ];
      if (measuresIssue26(opts.only)) goalsText = goalLines(checkGoals({ json: results.json, memory: results.memory, startupMs }));
    } else if (measuresIssue26(opts.only)) {
      goalsText = goalLines(checkGoals({ json: new Map(), memory: [], startupMs }));
    }

    const startupLine = startupMs.length
      ? `Startup, spawn of \`node dist/cli/main.js start\` to the first 200 from /__proxy/health: median ${median(startupMs).toFixed(0)} ms (min ${Math.min(...startupMs).toFixed(0)}, max ${Math.max(...startupMs).toFixed(0)}, n=${startupMs.length})`
      : '';
    const loadAfter = loadAverage();
    log('');
    if (openapi) tables.push(openapi.table);
    if (mock) tables.push(mock.table);
    if (design) tables.push(design);
    if (inspectorTable) tables.push(inspectorTable);
    if (logReading) tables.push(logReading.table);
    for (const table of tables) log(`${renderText(table)}\n`);
    if (startupLine) log(`${startupLine}\n`);
    if (openapi) goalsText = [...goalsText, ...openapi.goals];
    if (mock) goalsText = [...goalsText, ...mock.goals];
    if (logReading) goalsText = [...goalsText, ...logReading.goals];
    log([GOALS_HEADING, ...goalsText].join('\n'));
    log(`\nload average before ${loadBefore}, after ${loadAfter}`);

    const runResults: RunResults = {
      date: new Date().toISOString(),
      command: process.argv.slice(2).join(' '),
      upstream: opts.upstream,
      workloads: json.map((w) => ({ name: w.name, label: workloadLabel(w), samples: measured?.json.get(w.name) ?? [] })),
      memory: measured?.memory ?? [],
      startupMs,
    };
    const readme = json.length ? readmeTable(runResults) : undefined;
    if (readme && opts.readmeTable) log(`\nThe README's performance table:\n\n${readme}`);

    const markdown = [
      `## Benchmark run ${new Date().toISOString()}`,
      '',
      `Command: \`npm run bench -- ${process.argv.slice(2).join(' ')}\` (upstream: ${opts.upstream}, ${opts.reps} repetitions x ${opts.durationS} s per JSON row, medians; peak RSS is the maximum)`,
      '',
      machineMarkdown(machine, loadBefore, loadAfter),
      '',
      ...tables.flatMap((t) => [renderMarkdown(t), '']),
      ...(startupLine ? [startupLine, ''] : []),
      ...(readme ? ["For the README's performance section (also `node bench/dist/bench/readme-table.js` on the .json beside this file):", '', readme, ''] : []),
      GOALS_HEADING,
      '',
      ...goalsText,
      '',
      'Notes:',
      '',
      ...notes.map((n) => `- ${n}`),
      '',
    ].join('\n');
    await mkdir(path.dirname(opts.out), { recursive: true });
    await writeFile(opts.out, markdown);
    // The samples themselves, every repetition, so the README table (or another summary) can be drawn again later.
    const jsonOut = `${opts.out.replace(/\.md$/, '')}.json`;
    await writeFile(jsonOut, `${JSON.stringify(runResults, null, 1)}\n`);
    log(`\nresults written to ${path.relative(process.cwd(), opts.out)} and ${path.relative(process.cwd(), jsonOut)}`);
    return 0;
  } finally {
    // Reverse order: proxies before the upstream, so they do not log upstream errors while stopping.
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
