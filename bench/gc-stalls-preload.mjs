// Preloaded into the proxy by bench/gc-stalls.mjs (node --import), never part of the proxy:
// event-loop delay (monitorEventLoopDelay), GC pauses by kind, CPU time and memory
// (heapUsed, external, arrayBuffers, rss), reset on SIGUSR2 after the warm-up, written to
// ELD_OUT when the proxy exits.
import { monitorEventLoopDelay, PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { setInterval } from 'node:timers';
import { writeFileSync } from 'node:fs';
const out = process.env.ELD_OUT;
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
let gcs = [];
const kinds = { [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' };
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push([kinds[e.detail?.kind ?? e.kind] ?? String(e.detail?.kind), e.duration, e.startTime]); }).observe({ entryTypes: ['gc'] });
let t0 = performance.now(); let cpu0 = process.cpuUsage(); let mem = [];
const sampler = setInterval(() => { const m = process.memoryUsage(); mem.push([m.heapUsed, m.external, m.arrayBuffers, m.rss]); }, 500); sampler.unref();
process.on('SIGUSR2', () => { h.reset(); gcs = []; t0 = performance.now(); cpu0 = process.cpuUsage(); mem = []; });
process.on('exit', () => {
  if (!out) return;
  const pct = (p) => h.percentile(p) / 1e6;
  writeFileSync(out, JSON.stringify({ elapsedMs: performance.now() - t0, cpu: process.cpuUsage(cpu0), eld: { p50: pct(50), p99: pct(99), p999: pct(99.9), max: h.max / 1e6, mean: h.mean / 1e6, count: h.count }, gcs, mem }));
});
