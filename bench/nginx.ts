// nginx, when the machine has it: as the mTLS upstream (--upstream nginx) and as row (d), the
// mTLS forward proxy people would configure instead of this project. The benchmark never
// installs it; it only looks for it. Configs live in a temp prefix; nginx runs in the
// foreground (daemon off) as a tracked child, on loopback ports only.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JSON_BODY } from './payloads.js';
import { spawnTracked, stopChild, tail, waitForHttp, waitForPort } from './processes.js';

export interface NginxBinary {
  readonly path: string;
  readonly version: string;
}

export function findNginx(): NginxBinary | undefined {
  for (const candidate of ['nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    const result = spawnSync(candidate, ['-v'], { encoding: 'utf8', timeout: 5000 });
    // nginx prints its version on stderr: "nginx version: nginx/1.22.1"
    const match = /nginx\/(\S+)/.exec(`${result.stderr ?? ''}${result.stdout ?? ''}`);
    if (result.status === 0 && match?.[1]) return { path: candidate, version: match[1] };
  }
  return undefined;
}

export interface Pki {
  readonly caPath: string;
  readonly serverCertPath: string;
  readonly serverKeyPath: string;
  readonly clientCertPath: string;
  readonly clientKeyPath: string;
}

export interface RunningNginx {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Common top of both configs: one worker (like the single Node event loop), all paths inside the prefix. */
function preamble(prefix: string): string {
  return `worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
`;
}

async function launch(binary: NginxBinary, prefix: string, config: string): Promise<ChildProcess> {
  await mkdir(path.join(prefix, 'tmp'), { recursive: true });
  const configPath = path.join(prefix, 'nginx.conf');
  await writeFile(configPath, config);
  // -e: the compiled-in error log (/var/log/nginx) may not be writable; -g: stay in the foreground.
  return spawnTracked(binary.path, ['-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', configPath, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function running(port: number, child: ChildProcess): RunningNginx {
  // SIGQUIT: graceful shutdown of master and workers; stopChild kills the group if it hangs.
  return { port, child, stop: () => stopChild(child, 3000, 'SIGQUIT') };
}

/** nginx as the mTLS upstream: the same 1 KB JSON, and the download from a sparse file (no disk I/O, no disk space). */
export async function startNginxUpstream(binary: NginxBinary, prefix: string, port: number, pki: Pki, downloadBytes: number): Promise<RunningNginx> {
  await mkdir(prefix, { recursive: true });
  const blob = path.join(prefix, 'download.bin');
  if (!existsSync(blob)) {
    const handle = await open(blob, 'w');
    await handle.truncate(downloadBytes);
    await handle.close();
  }
  const config = `${preamble(prefix)}  access_log off;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate ${pki.serverCertPath};
    ssl_certificate_key ${pki.serverKeyPath};
    ssl_client_certificate ${pki.caPath};
    ssl_verify_client on;
    location = /json { default_type application/json; return 200 '${JSON_BODY.toString('utf8')}'; }
    location = /download { default_type application/octet-stream; root ${prefix}; try_files /download.bin =404; }
    location = /health { return 200 'ok'; }
  }
}
`;
  const child = await launch(binary, prefix, config);
  const stderr = tail(child.stderr);
  try {
    await waitForPort(port, child, 5000);
  } catch (error) {
    throw new Error(`nginx upstream did not start: ${(error as Error).message}\n${stderr()}`);
  }
  return running(port, child);
}

/**
 * Row (d): nginx as an mTLS forward proxy, configured the way the engineering notes measured
 * it: client certificate, upstream verified, a keep-alive pool, an access log (it records
 * every exchange, as our proxy does). proxy_max_temp_file_size 0 keeps the download
 * streaming through memory instead of spooling up to 1 GB to disk, like our proxy.
 */
export async function startNginxProxy(binary: NginxBinary, prefix: string, port: number, upstreamPort: number, pki: Pki): Promise<RunningNginx> {
  const config = `${preamble(prefix)}  access_log ${prefix}/access.log;
  upstream ons_upstream {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass https://ons_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_ssl_certificate ${pki.clientCertPath};
      proxy_ssl_certificate_key ${pki.clientKeyPath};
      proxy_ssl_trusted_certificate ${pki.caPath};
      proxy_ssl_verify on;
      proxy_ssl_name localhost;
      proxy_ssl_server_name on;
      proxy_ssl_protocols TLSv1.2 TLSv1.3;
      proxy_ssl_session_reuse on;
      proxy_max_temp_file_size 0;
    }
  }
}
`;
  const child = await launch(binary, prefix, config);
  const stderr = tail(child.stderr);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/json`, child, 5000);
  } catch (error) {
    throw new Error(`nginx proxy did not start: ${(error as Error).message}\n${stderr()}`);
  }
  return running(port, child);
}
