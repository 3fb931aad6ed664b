// What the numbers were measured on. The load average at start and end is there because the
// machine may be shared: a high value means the run competed with other work.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import type { ToolBinary } from './alternatives.js';
import type { NginxBinary } from './nginx.js';

export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly kernel: string;
  readonly node: string;
  readonly nginx: string;
  readonly alternatives: string;
  readonly autocannon: string;
  readonly download: string;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface Alternatives {
  readonly caddy: ToolBinary | undefined;
  readonly mitmdump: ToolBinary | undefined;
}

export function describeMachine(nginx: NginxBinary | undefined, alternatives: Alternatives, curl: boolean): Machine {
  return {
    cores: os.availableParallelism(),
    cpuModel: cpuModel(),
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    nginx: nginx ? `nginx/${nginx.version} (${nginx.path})` : 'not installed: rows (d) and --upstream nginx skipped',
    alternatives: [
      alternatives.caddy ? `Caddy ${alternatives.caddy.version}` : 'Caddy not installed: row (e) skipped',
      alternatives.mitmdump ? `mitmproxy ${alternatives.mitmdump.version}` : 'mitmproxy not installed: row (f) skipped',
    ].join('; '),
    autocannon: packageVersion('autocannon'),
    download: curl ? 'curl (discarding the body)' : 'Node https client (curl not installed)',
  };
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' / ');
}

export function machineMarkdown(machine: Machine, loadBefore: string, loadAfter: string): string {
  return [
    `- CPU: ${machine.cores} cores available, ${machine.cpuModel}; ${machine.memoryGb} GB RAM; ${machine.kernel}`,
    `- Node.js ${machine.node}; ${machine.nginx}; ${machine.alternatives}; autocannon ${machine.autocannon}; download client: ${machine.download}`,
    `- load average (1/5/15 min) before: ${loadBefore}, after: ${loadAfter}`,
  ].join('\n');
}
