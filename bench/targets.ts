// Starting the things under test: the Node upstream child and the proxy as a user runs it
// (`node dist/cli/main.js start`, configured only by environment variables).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import type { Pki } from './nginx.js';
import { BENCH_DIST_DIR, CLI_PATH } from './paths.js';
import { freePort, spawnTracked, stopChild, tail, waitForHttp, waitForPort } from './processes.js';

export interface RunningChild {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export async function startNodeUpstream(pki: Pki, downloadBytes: number): Promise<RunningChild> {
  const child = spawnTracked(process.execPath, [path.join(BENCH_DIST_DIR, 'upstream-server.js')], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: {
      PATH: process.env.PATH ?? '',
      BENCH_SERVER_CERT: pki.serverCertPath,
      BENCH_SERVER_KEY: pki.serverKeyPath,
      BENCH_CA: pki.caPath,
      BENCH_DOWNLOAD_BYTES: String(downloadBytes),
    },
  });
  const stderr = tail(child.stderr);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`upstream did not report its port within 10 s\n${stderr()}`)), 10_000);
    child.once('message', (message: { port?: number }) => {
      clearTimeout(timer);
      if (typeof message.port === 'number') resolve(message.port);
      else reject(new Error('upstream sent no port'));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`upstream exited with ${code}\n${stderr()}`));
    });
  });
  return { port, child, stop: () => stopChild(child) };
}

export interface ProxyOptions {
  readonly pki: Pki;
  readonly upstreamPort: number;
  readonly logDir: string;
  readonly logBodies: boolean;
  readonly maxConcurrency: number;
  /** Directory for a V8 CPU profile written when the proxy exits (node --cpu-prof). */
  readonly cpuProfDir?: string;
  /**
   * Where the console lines go: a pipe read by another process (as under Docker, systemd or
   * CI), a file in the log folder (`npm start > log`), or /dev/null.
   */
  readonly console: ConsoleTarget;
  /** Another build's `dist/cli/main.js`, for a before/after row in the same run. */
  readonly cliPath?: string;
  /** More ONS_PROXY_* settings for this proxy (a row's own, e.g. ONS_PROXY_OPENAPI). */
  readonly env?: Readonly<Record<string, string>>;
}

export type ConsoleTarget = 'pipe' | 'file' | 'devnull';
export const CONSOLE_TARGETS: readonly ConsoleTarget[] = ['pipe', 'file', 'devnull'];

/** The proxy's stdout and, for a pipe, the process reading it (`cat` into /dev/null, like a log collector). */
function consoleOutput(target: ConsoleTarget, logDir: string): { stdout: 'ignore' | 'pipe' | number; reader?: ChildProcess; fd?: number } {
  if (target === 'devnull') return { stdout: 'ignore' };
  if (target === 'file') {
    const fd = openSync(path.join(logDir, 'console.log'), 'a');
    return { stdout: fd, fd };
  }
  return { stdout: 'pipe' };
}

/**
 * The environment of a proxy child: only ONS_PROXY_* variables the benchmark sets, so a
 * developer's shell or .env cannot change what is measured (cwd is the temp dir, which has
 * no .env or config file).
 */
function proxyEnv(options: ProxyOptions, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ONS_PROXY_UPSTREAM: `https://127.0.0.1:${options.upstreamPort}`,
    ONS_PROXY_CERT: options.pki.clientCertPath,
    ONS_PROXY_KEY: options.pki.clientKeyPath,
    ONS_PROXY_CA: options.pki.caPath,
    ONS_PROXY_HOST: '127.0.0.1',
    ONS_PROXY_PORT: String(port),
    ONS_PROXY_LOG_DIR: options.logDir,
    ONS_PROXY_LOG_BODIES: String(options.logBodies),
    // The default (4) is the Ons API's limit; the c32 workload needs room or it measures the queue.
    ONS_PROXY_MAX_CONCURRENCY: String(options.maxConcurrency),
    ONS_PROXY_SHUTDOWN_GRACE_MS: '1000',
    ...options.env,
  };
}

export interface StartedProxy extends RunningChild {
  /** ms from spawn to the first 200 from /__proxy/health. */
  readonly readyMs: number;
}

export async function startProxy(options: ProxyOptions): Promise<StartedProxy> {
  const port = await freePort();
  const nodeArgs = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  const output = consoleOutput(options.console, options.logDir);
  const spawnedAt = performance.now();
  const child = spawnTracked(process.execPath, [...nodeArgs, options.cliPath ?? CLI_PATH, 'start'], {
    cwd: options.logDir,
    stdio: ['ignore', output.stdout, 'pipe'],
    env: proxyEnv(options, port),
  });
  if (output.fd !== undefined) closeSync(output.fd);
  // The reader is its own process, so the benchmark's event loop never carries the console's bytes.
  const reader = child.stdout ? spawn('sh', ['-c', 'cat > /dev/null'], { stdio: [child.stdout, 'ignore', 'ignore'] }) : undefined;
  const stderr = tail(child.stderr);
  const stop = async (): Promise<void> => {
    await stopChild(child, 5000);
    reader?.kill();
  };
  let readyMs: number;
  try {
    readyMs = await waitForHttp(`http://127.0.0.1:${port}/__proxy/health`, child, 15_000, spawnedAt);
  } catch (error) {
    await stop();
    throw new Error(`proxy did not start: ${(error as Error).message}\n${stderr()}`);
  }
  return { port, child, readyMs, stop };
}

/** Row (i): fastify + @fastify/http-proxy + an undici Agent, nothing of the proxy's own (stack-floor-server.ts). */
export async function startStackFloor(pki: Pki, upstreamPort: number): Promise<RunningChild> {
  const port = await freePort();
  const child = spawnTracked(process.execPath, [path.join(BENCH_DIST_DIR, 'stack-floor-server.js')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      BENCH_UPSTREAM: `https://127.0.0.1:${upstreamPort}`,
      BENCH_CLIENT_CERT: pki.clientCertPath,
      BENCH_CLIENT_KEY: pki.clientKeyPath,
      BENCH_CA: pki.caPath,
      BENCH_PORT: String(port),
    },
  });
  const stderr = tail(child.stderr);
  try {
    await waitForPort(port, child, 15_000);
  } catch (error) {
    await stopChild(child);
    throw new Error(`the stack-floor server did not start: ${(error as Error).message}\n${stderr()}`);
  }
  return { port, child, stop: () => stopChild(child) };
}
