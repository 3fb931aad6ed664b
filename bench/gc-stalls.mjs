import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { readFileSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
// Issue 26's diagnostic: GC pauses by kind, event-loop delay and CPU per exchange inside the
// proxy under a fixed amount of 4 KB JSON load (autocannon), meaningful on a loaded machine
// where throughput is not. Build first (npm run build && npx tsc -p bench), then:
//   node bench/gc-stalls.mjs <label> ['{"ONS_PROXY_INSPECTOR_LIMIT":"10"}']
// Environment: AMOUNT (exchanges measured; else SECS, default 15), RATE (req/s in all, 0 =
// as fast as it goes), CONNS (4), NODE_FLAGS (e.g. "--trace-gc"), PROXY_OUT (the proxy's
// stdout, for those traces), CLI (another build's dist/cli/main.js, for before/after).
// Prints one JSON line; GC pauses come from a PerformanceObserver preloaded into the proxy.
import { fileURLToPath } from 'node:url';
const WT = fileURLToPath(new URL('..', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./gc-stalls-preload.mjs', import.meta.url));
const { writeDemoPki } = await import(`${WT}/bench/dist/src/demo/index.js`);
const { startNodeUpstream } = await import(`${WT}/bench/dist/bench/targets.js`);
const { freePort, waitForHttp, stopChild, installCleanup } = await import(`${WT}/bench/dist/bench/processes.js`);
const autocannon = (await import(`${WT}/node_modules/autocannon/autocannon.js`)).default;
installCleanup();
const label = process.argv[2] ?? 'run';
const extraEnv = JSON.parse(process.argv[3] ?? '{}');
const rate = Number(process.env.RATE ?? 1000), seconds = Number(process.env.SECS ?? 15), conns = Number(process.env.CONNS ?? 4);
const nodeFlags = (process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'perf-'));
const demo = await writeDemoPki(path.join(tmp, 'pki'));
const pki = { caPath: demo.ca.certPath, serverCertPath: demo.server.certPath, serverKeyPath: demo.server.keyPath, clientCertPath: demo.client.certPath, clientKeyPath: demo.client.keyPath };
const upstream = await startNodeUpstream(pki, 1024);
const port = await freePort();
const eldOut = path.join(tmp, 'eld.json');
const child = spawn(process.execPath, [...nodeFlags, '--import', PRELOAD, process.env.CLI ?? `${WT}/dist/cli/main.js`, 'start'], {
  cwd: tmp, stdio: ['ignore', process.env.PROXY_OUT ? (await import('node:fs')).openSync(process.env.PROXY_OUT, 'w') : 'ignore', 'inherit'], detached: true,
  env: { PATH: process.env.PATH, HOME: process.env.HOME, ELD_OUT: eldOut, ONS_PROXY_UPSTREAM: `https://127.0.0.1:${upstream.port}`, ONS_PROXY_CERT: pki.clientCertPath, ONS_PROXY_KEY: pki.clientKeyPath, ONS_PROXY_CA: pki.caPath, ONS_PROXY_HOST: '127.0.0.1', ONS_PROXY_PORT: String(port), ONS_PROXY_LOG_DIR: tmp, ONS_PROXY_LOG_BODIES: 'true', ONS_PROXY_MAX_CONCURRENCY: '64', ONS_PROXY_SHUTDOWN_GRACE_MS: '1000', ...extraEnv },
});
await waitForHttp(`http://127.0.0.1:${port}/__proxy/health`, child, 15000, performance.now());
const load = (secs, amount) => new Promise((resolve, reject) => autocannon({ url: `http://127.0.0.1:${port}/json-4k`, connections: conns, ...(amount ? { amount } : { duration: secs }), ...(rate > 0 ? { overallRate: rate } : {}) }, (e, r) => (e ? reject(e) : resolve(r))));
await load(0, 3000); // warm-up, fills the ring
child.kill('SIGUSR2');
const r = await load(seconds, Number(process.env.AMOUNT ?? 0));
await stopChild(child, 5000);
await upstream.stop();
const s = JSON.parse(readFileSync(eldOut, 'utf8'));
const by = {};
for (const [k, d] of s.gcs) (by[k] ??= []).push(d);
const q = (a, p) => { const b = [...a].sort((x, y) => x - y); return b[Math.min(b.length - 1, Math.floor(p * b.length))]; };
const gc = Object.fromEntries(Object.entries(by).map(([k, a]) => [k, { n: a.length, p50: +q(a, 0.5).toFixed(2), p99: +q(a, 0.99).toFixed(2), max: +Math.max(...a).toFixed(2), total: +a.reduce((x, y) => x + y, 0).toFixed(1) }]));
const last = s.mem.at(-1) ?? [];
const reqs = r.requests.total;
console.log(JSON.stringify({ label, env: extraEnv, reqs, rps: r.requests.average, lat: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max }, eld: Object.fromEntries(Object.entries(s.eld).map(([k, v]) => [k, +(+v).toFixed(2)])), cpuUsPerReq: +((s.cpu.user + s.cpu.system) / reqs).toFixed(1), gc, memMB: last.map((b) => +(b / 1048576).toFixed(1)), load: os.loadavg()[0] }));
process.exit(0);
