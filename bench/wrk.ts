// wrk, a C load generator, drives every row that needs no client certificate (it cannot
// present one): autocannon runs in the benchmark's own Node process and, on 2 cores, takes
// CPU from whatever it measures, which hid how fast nginx really is. One thread, like the
// single event loop of the proxy; the Lua hook prints exact counts and microsecond
// percentiles instead of wrk's rounded summary.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadOptions, LoadResult } from './load.js';

export function findWrk(): string | undefined {
  // wrk prints its version line and exits 1 without a URL.
  const result = spawnSync('wrk', ['--version'], { encoding: 'utf8', timeout: 5000 });
  const match = /^wrk (\S+)/m.exec(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  return match?.[1];
}

const REPORT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH-WRK %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(99)))
end
`;

let scriptPath: string | undefined;
function reportScript(): string {
  if (scriptPath) return scriptPath;
  scriptPath = path.join(os.tmpdir(), `ons-proxy-bench-wrk-${process.pid}.lua`);
  writeFileSync(scriptPath, REPORT);
  return scriptPath;
}

export function runWrk(options: LoadOptions): Promise<LoadResult> {
  // wrk takes whole seconds only.
  const args = ['-t1', `-c${options.connections}`, `-d${Math.max(1, Math.round(options.durationS))}s`, '--timeout', '10s', '-s', reportScript(), options.url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    // 'close', not 'exit': exit can come before the last of stdout was read.
    child.once('close', (code) => {
      const match = /BENCH-WRK (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out);
      if (code !== 0 || !match) {
        reject(new Error(`wrk ${options.url} failed (${code}): ${out.trim().slice(-400)}`));
        return;
      }
      const [requests, durationUs, socketErrors, statusErrors, p50Us, p99Us] = match.slice(1).map(Number) as [number, number, number, number, number, number];
      const ok = requests - statusErrors;
      resolve({ requests: ok, rps: ok / (durationUs / 1e6), p50Ms: p50Us / 1000, p99Ms: p99Us / 1000, failures: socketErrors + statusErrors, tool: 'wrk' });
    });
  });
}
