// Load generation. autocannon drives every JSON row, including (a): it can present a client
// certificate (tlsOptions go to tls.connect), so the floor is measured with the same tool as
// the proxies; wrk cannot present one. autocannon's own latency histogram stores whole
// milliseconds, too coarse for sub-millisecond loopback latencies, so we record each
// response's float duration (its 'response' event) in a microsecond histogram instead.
// The download uses curl when present (native, fast, speaks mTLS), else a Node client.
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import { createHistogram } from 'node:perf_hooks';

export interface ClientTls {
  readonly certPath: string;
  readonly keyPath: string;
  readonly caPath: string;
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors, timeouts and non-2xx answers: any of them makes the row suspect. */
  readonly failures: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  readonly tls?: ClientTls;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const histogram = createHistogram();
  const tlsOptions = options.tls
    ? { cert: readFileSync(options.tls.certPath), key: readFileSync(options.tls.keyPath), ca: readFileSync(options.tls.caPath) }
    : undefined;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    pipelining: 1,
    timeout: 10,
    ...(tlsOptions ? { tlsOptions } : {}),
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
    if (statusCode >= 200 && statusCode < 300) histogram.record(Math.max(1, Math.round(responseTimeMs * 1000)));
  });
  const result = await instance;
  const ok = result['2xx'];
  return {
    requests: ok,
    rps: ok / Math.max(result.duration, 0.001),
    p50Ms: histogram.count ? histogram.percentile(50) / 1000 : NaN,
    p99Ms: histogram.count ? histogram.percentile(99) / 1000 : NaN,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

export interface DownloadResult {
  readonly bytes: number;
  readonly seconds: number;
  readonly mbPerS: number;
  readonly tool: 'curl' | 'node';
}

export function hasCurl(): boolean {
  return spawnSync('curl', ['--version'], { timeout: 5000 }).status === 0;
}

/** Downloads `url` once, discarding the body; fails unless exactly `expectedBytes` arrive. Bounded by timeoutS. */
export async function runDownload(url: string, expectedBytes: number, tls: ClientTls | undefined, useCurl: boolean, timeoutS: number): Promise<DownloadResult> {
  const { bytes, seconds, tool } = useCurl ? await curlDownload(url, tls, timeoutS) : await nodeDownload(url, tls, timeoutS);
  if (bytes !== expectedBytes) throw new Error(`download of ${url} delivered ${bytes} bytes, expected ${expectedBytes}`);
  return { bytes, seconds, tool, mbPerS: bytes / 1e6 / seconds };
}

function curlDownload(url: string, tls: ClientTls | undefined, timeoutS: number): Promise<Omit<DownloadResult, 'mbPerS'>> {
  const tlsArgs = tls ? ['--cert', tls.certPath, '--key', tls.keyPath, '--cacert', tls.caPath] : [];
  const args = ['-sS', '--fail', '--noproxy', '*', '--max-time', String(timeoutS), '-o', '/dev/null', '-w', '%{size_download} %{time_total}', ...tlsArgs, url];
  return new Promise((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const [size, total] = out.trim().split(' ').map(Number);
      if (code !== 0 || size === undefined || total === undefined) reject(new Error(`curl ${url} failed (${code}): ${err.trim()}`));
      else resolve({ bytes: size, seconds: total, tool: 'curl' });
    });
  });
}

async function nodeDownload(url: string, tls: ClientTls | undefined, timeoutS: number): Promise<Omit<DownloadResult, 'mbPerS'>> {
  const started = performance.now();
  const { status, bytes } = await fetchOnce(url, tls, timeoutS);
  if (status !== 200) throw new Error(`download of ${url} answered ${status}`);
  return { bytes, seconds: (performance.now() - started) / 1000, tool: 'node' };
}

/** One GET on a fresh connection, body counted and discarded: the sanity check before a row is measured. */
export function fetchOnce(url: string, tls: ClientTls | undefined, timeoutS: number): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const onResponse = (response: http.IncomingMessage): void => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
      response.once('error', reject);
    };
    const request = tls
      ? https.get(url, { agent: false, cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath), ca: readFileSync(tls.caPath), servername: 'localhost' }, onResponse)
      : http.get(url, { agent: false }, onResponse);
    request.setTimeout(timeoutS * 1000, () => request.destroy(new Error(`${url} timed out after ${timeoutS} s`)));
    request.once('error', reject);
  });
}
