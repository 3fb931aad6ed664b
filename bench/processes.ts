// Child processes of the benchmark (upstream, proxies, nginx). Each runs in its own process
// group so nginx's workers die with their master, and every group is killed when the
// benchmark exits for any reason: normal end, exception, SIGINT or SIGTERM.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const live = new Set<ChildProcess>();

export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Synchronous on purpose: it also runs from the 'exit' event, where nothing async happens. */
export function killAllChildren(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
}

let installed = false;
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.once('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
      killAllChildren();
      process.exit(130);
    });
  }
}

/**
 * Asks the child to stop (SIGTERM to the process itself, so a proxy started with --cpu-prof
 * shuts down gracefully and writes its profile), then kills the whole group after graceMs.
 */
export async function stopChild(child: ChildProcess, graceMs = 3000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const outcome = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    killGroup(child, 'SIGKILL');
    await exited;
  }
}

/** Keeps the last `limit` characters of a stream, so a failing child can be explained. */
export function tail(stream: NodeJS.ReadableStream | null, limit = 8192): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-limit);
  });
  return () => text;
}

/** A free loopback port. The tiny race with other processes is acceptable for a benchmark. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(0));
  });
}

/** Polls until `url` answers 200; bounded by timeoutMs. Returns the ms it took, from `since`. */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number, since = performance.now()): Promise<number> {
  const deadline = since + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${url} answered`);
    if ((await httpStatus(url)) === 200) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** Polls until a TCP connect to the port succeeds (for TLS listeners that demand a client certificate). */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before port ${port} opened`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
}

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The process and its direct children (nginx's workers). */
export function processTree(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...children];
  } catch {
    return [pid];
  }
}

/**
 * Peak RSS per run: writing "5" to clear_refs resets VmHWM (Linux >= 4.0), so each
 * measurement reports its own peak instead of the process's lifetime peak. Where that is
 * not allowed, a 50 ms VmRSS sampler stands in (it can miss short spikes).
 */
export class PeakRss {
  private sampled = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly exact: boolean;

  constructor(private readonly pid: number) {
    let exact = true;
    for (const p of processTree(pid)) {
      try {
        writeFileSync(`/proc/${p}/clear_refs`, '5');
      } catch {
        exact = false;
      }
    }
    this.exact = exact;
    if (!exact) {
      this.timer = setInterval(() => this.sample(), 50);
      this.timer.unref();
    }
  }

  private sample(): void {
    let total = 0;
    for (const p of processTree(this.pid)) total += statusField(p, 'VmRSS') ?? 0;
    this.sampled = Math.max(this.sampled, total);
  }

  /** Bytes; summed over the process tree. */
  stop(): number {
    clearInterval(this.timer);
    if (!this.exact) {
      this.sample();
      return this.sampled;
    }
    let total = 0;
    for (const p of processTree(this.pid)) total += statusField(p, 'VmHWM') ?? 0;
    return total;
  }
}
