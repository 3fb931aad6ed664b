// Rows (e) and (f): the other tools a developer might put in front of the Ons API instead
// of this proxy, Caddy and mitmproxy, when the machine has them (Debian: apt-get install
// caddy mitmproxy). Like nginx, the benchmark never installs them; it only looks. Each is
// configured as an mTLS reverse proxy to the same upstream: client certificate presented,
// the upstream's certificate verified against the benchmark's CA, and every exchange
// recorded in the tool's own way.
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pki } from './nginx.js';
import { spawnTracked, stopChild, tail, waitForHttp } from './processes.js';
import type { RunningChild } from './targets.js';

export interface ToolBinary {
  readonly path: string;
  readonly version: string;
}

function findTool(candidates: readonly string[], args: readonly string[], version: RegExp): ToolBinary | undefined {
  for (const candidate of candidates) {
    const result = spawnSync(candidate, args, { encoding: 'utf8', timeout: 10_000 });
    const match = version.exec(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    if (result.status === 0 && match?.[1]) return { path: candidate, version: match[1] };
  }
  return undefined;
}

/** `caddy version` prints "v2.6.2 h1:..." (or "2.6.2" from Debian's build). */
export function findCaddy(): ToolBinary | undefined {
  return findTool(['caddy', '/usr/bin/caddy', '/usr/local/bin/caddy'], ['version'], /^v?(\d+\.\d+\.\d+)/m);
}

/** `mitmdump --version` prints "Mitmproxy: 8.1.1" among other lines. */
export function findMitmdump(): ToolBinary | undefined {
  return findTool(['mitmdump', '/usr/bin/mitmdump', '/usr/local/bin/mitmdump'], ['--version'], /^Mitmproxy:\s*(\S+)/m);
}

async function ready(name: string, child: RunningChild['child'], port: number, timeoutMs: number): Promise<RunningChild> {
  const stderr = tail(child.stderr);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/json`, child, timeoutMs);
  } catch (error) {
    await stopChild(child);
    throw new Error(`${name} did not start: ${(error as Error).message}\n${stderr()}`);
  }
  return { port, child, stop: () => stopChild(child, 3000) };
}

/**
 * Row (e): Caddy's reverse_proxy with the client certificate, like row (d): an upstream pool
 * of 64 keep-alive connections (Go keeps only 2 idle per host unless told, which made Caddy
 * hand-shake on most requests), an access log of every exchange, and its default of one
 * thread per core.
 */
export async function startCaddyProxy(binary: ToolBinary, prefix: string, port: number, upstreamPort: number, pki: Pki): Promise<RunningChild> {
  await mkdir(prefix, { recursive: true });
  const config = `{
	admin off
	auto_https off
	storage file_system ${prefix}/data
}
http://:${port} {
	bind 127.0.0.1
	log {
		output file ${prefix}/access.log
	}
	reverse_proxy https://127.0.0.1:${upstreamPort} {
		transport http {
			tls_client_auth ${pki.clientCertPath} ${pki.clientKeyPath}
			tls_trusted_ca_certs ${pki.caPath}
			tls_server_name localhost
			keepalive 60s
			keepalive_idle_conns 64
			keepalive_idle_conns_per_host 64
		}
	}
}
`;
  const configPath = path.join(prefix, 'Caddyfile');
  await writeFile(configPath, config);
  const child = spawnTracked(binary.path, ['run', '--config', configPath, '--adapter', 'caddyfile'], {
    cwd: prefix,
    stdio: ['ignore', 'ignore', 'pipe'],
    // Caddy keeps state under HOME / XDG folders: all of it in the temp prefix.
    env: { PATH: process.env.PATH ?? '', HOME: prefix, XDG_DATA_HOME: prefix, XDG_CONFIG_HOME: prefix },
  });
  return ready('Caddy', child, port, 10_000);
}

/**
 * Row (f): mitmdump in reverse-proxy mode with the client certificate, writing every flow
 * (bodies included) to a flow file, as a developer recording traffic with it would. Bodies
 * over 1 MB stream through unrecorded (stream_large_bodies), or the 1 GiB download would be
 * held in memory whole.
 */
export async function startMitmProxy(binary: ToolBinary, prefix: string, port: number, upstreamPort: number, pki: Pki): Promise<RunningChild> {
  await mkdir(prefix, { recursive: true });
  // mitmproxy wants the certificate and its key in one PEM file.
  const combined = path.join(prefix, 'client-certificate-and-key.pem');
  await writeFile(combined, `${await readFile(pki.clientCertPath, 'utf8')}\n${await readFile(pki.clientKeyPath, 'utf8')}`, { mode: 0o600 });
  const child = spawnTracked(
    binary.path,
    [
      '--quiet',
      '--listen-host', '127.0.0.1',
      '--listen-port', String(port),
      // The upstream's certificate names localhost, not 127.0.0.1.
      '--mode', `reverse:https://localhost:${upstreamPort}`,
      '--set', `confdir=${path.join(prefix, 'conf')}`,
      '--set', `client_certs=${combined}`,
      '--set', `ssl_verify_upstream_trusted_ca=${pki.caPath}`,
      '--set', 'stream_large_bodies=1m',
      '--save-stream-file', path.join(prefix, 'flows.mitm'),
    ],
    { cwd: prefix, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: prefix } },
  );
  // The first start generates mitmproxy's own CA: allow for it.
  return ready('mitmproxy', child, port, 30_000);
}
