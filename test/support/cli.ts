// Runs the built command line the way a user does, for tests of exit codes, messages,
// signals and the memory of the proxy process itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does).`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The test run's own temp folder (test/support/temp-folder.ts), so a command's throwaway files go where the run removes them. */
function runTemp(): { TMPDIR?: string } {
  return process.env.TMPDIR === undefined ? {} : { TMPDIR: process.env.TMPDIR };
}

/** Runs `ons-proxy <args>` to completion with only the given environment (plus PATH), in `cwd`. */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd: string; timeoutMs?: number }): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...runTemp(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface SpawnedProxy {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** Resident set size of the proxy process now, in bytes (Linux). */
  rssBytes(): number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `ons-proxy start` (or another serving command) and waits until it says where it listens.
 * `executable` runs an installed `ons-proxy` instead of this checkout's build.
 */
export function spawnProxy(args: readonly string[], options: { env: Record<string, string>; cwd: string; executable?: string }): Promise<SpawnedProxy> {
  if (options.executable === undefined) assertBuilt();
  const [command, commandArgs] = options.executable === undefined ? [process.execPath, [CLI, ...args]] : [options.executable, [...args]];
  const child = spawn(command, commandArgs, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ONS_PROXY_PORT: '0', ...runTemp(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`proxy did not start within 15 s:\n${output}`));
    }, 15_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /(?:listening on|proxy:) +(http:\/\/[^\s"]+)/.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      const url = match[1];
      resolve({
        child,
        url,
        output: () => output,
        rssBytes: () => {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
          return Number(kb ?? 0) * 1024;
        },
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`proxy exited with ${code} before listening:\n${output}`));
    });
  });
}
