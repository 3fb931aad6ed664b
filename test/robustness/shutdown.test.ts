// SIGTERM/SIGINT on the built CLI, sent while a large download is running: the download
// finishes (or is cut when it must be), the traffic file holds its record, and the exit
// code says how the proxy stopped.
import { once } from 'node:events';
import http, { type IncomingMessage } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicSha256 } from '../support/deterministic-bytes.js';
import { readRecords, type TrafficRecord } from '../../src/traffic/index.js';
import { spawnProxy, type SpawnedProxy } from '../support/cli.js';
import { startProxy, startUpstream, upstreamEnv, type Upstream } from '../support/harness.js';
import { problemOf } from '../support/raw-http.js';

const SIZE = 32 * 1024 * 1024;
const DOWNLOAD = `/__mock/bytes?size=${SIZE}&seed=shutdown`;

let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});

function proxyEnv(logDir: string, graceMs: number): Record<string, string> {
  return {
    ...upstreamEnv(upstream, logDir),
    ONS_PROXY_SHUTDOWN_GRACE_MS: String(graceMs),
    ONS_PROXY_LOG_LEVEL: 'info',
  };
}

/** Starts a download and holds it paused after its first chunk, so it is surely in flight. */
async function pausedDownload(url: string): Promise<{ response: IncomingMessage; hash: ReturnType<typeof createHash>; received: () => number; ended: Promise<'complete' | 'cut'> }> {
  // A keep-alive client that never closes idle connections itself: the proxy must close them to stop in time.
  const agent = new http.Agent({ keepAlive: true });
  const response = await new Promise<IncomingMessage>((resolve, reject) => http.get(`${url}${DOWNLOAD}`, { agent }, resolve).on('error', reject));
  const hash = createHash('sha256');
  let received = 0;
  const ended = new Promise<'complete' | 'cut'>((resolve) => {
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      hash.update(chunk);
    });
    response.on('end', () => resolve(received === SIZE ? 'complete' : 'cut'));
    response.on('error', () => resolve('cut'));
    response.on('aborted', () => resolve('cut'));
  });
  await once(response, 'data');
  response.pause();
  return { response, hash, received: () => received, ended };
}

async function recordsIn(logDir: string): Promise<TrafficRecord[]> {
  const records: TrafficRecord[] = [];
  for await (const record of readRecords({ logDir })) records.push(record);
  return records;
}

function waitForOutput(proxy: SpawnedProxy, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (pattern.test(proxy.output())) resolve();
      else setTimeout(check, 20);
    };
    check();
  });
}

/** Waits for the proxy to exit on its own (SpawnedProxy.stop would send another signal). */
async function exitCode(proxy: SpawnedProxy): Promise<number | null> {
  if (proxy.child.exitCode !== null) return proxy.child.exitCode;
  const [code] = (await once(proxy.child, 'exit')) as [number | null];
  return code;
}

function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('SIGTERM and SIGINT', () => {
  it('SIGTERM: stops accepting, lets the running download finish, writes its record, exits 0', async () => {
    const logDir = path.join(upstream.dir, 'logs-graceful');
    const proxy = await spawnProxy(['start'], { env: proxyEnv(logDir, 20_000), cwd: upstream.dir });
    const download = await pausedDownload(proxy.url);
    proxy.child.kill('SIGTERM');
    await waitForOutput(proxy, /SIGTERM received/);
    expect(await refusesConnections(proxy.url)).toBe(true);
    download.response.resume();
    expect(await download.ended).toBe('complete');
    expect(download.hash.digest('hex')).toBe(deterministicSha256(SIZE, 'shutdown'));
    expect(await exitCode(proxy)).toBe(0);
    const records = await recordsIn(logDir);
    const record = records.find((r) => r.url === DOWNLOAD);
    expect(record).toMatchObject({ status: 200, method: 'GET' });
    expect(record?.aborted).toBeUndefined();
  });

  it('a second signal stops at once, cutting the download, and still writes its record as aborted', async () => {
    const logDir = path.join(upstream.dir, 'logs-twice');
    const proxy = await spawnProxy(['start'], { env: proxyEnv(logDir, 60_000), cwd: upstream.dir });
    const download = await pausedDownload(proxy.url);
    proxy.child.kill('SIGTERM');
    await waitForOutput(proxy, /SIGTERM received/);
    proxy.child.kill('SIGINT');
    // Well inside the 60 s grace period: only the second signal can end the process this soon.
    const code = await exitCode(proxy);
    expect(code).toBe(128 + 2);
    download.response.resume();
    expect(await download.ended).toBe('cut');
    const record = (await recordsIn(logDir)).find((r) => r.url === DOWNLOAD);
    expect(record?.aborted).toBe(true);
  });

  it('when the grace period runs out, the remaining exchanges are cut, recorded as aborted, and the exit is still 0', async () => {
    const logDir = path.join(upstream.dir, 'logs-grace');
    const proxy = await spawnProxy(['start'], { env: proxyEnv(logDir, 300), cwd: upstream.dir });
    const download = await pausedDownload(proxy.url);
    proxy.child.kill('SIGTERM');
    expect(await exitCode(proxy)).toBe(0);
    expect(proxy.output()).toMatch(/grace period over/);
    download.response.resume();
    expect(await download.ended).toBe('cut');
    const record = (await recordsIn(logDir)).find((r) => r.url === DOWNLOAD);
    expect(record?.aborted).toBe(true);
  });
});

describe('requests that arrive while the proxy closes', () => {
  it('get a 503 problem and Connection: close, while the exchange already running finishes', async () => {
    const proxy = await startProxy(upstream);
    const { hostname, port } = new URL(proxy.url);
    const socket = net.connect(Number(port), hostname);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    await once(socket, 'connect');
    socket.write('GET /__mock/slow?ms=400 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    while (upstream.mock.stats.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const closing = proxy.close();
    socket.write('GET /__proxy/health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await once(socket, 'close');
    await closing;
    const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    expect(first).toContain('waitedMs');
    expect(second).toMatch(/^HTTP\/1\.1 503/);
    const body = (second ?? '').slice((second ?? '').indexOf('\r\n\r\n') + 4);
    expect(problemOf({ headers: { 'content-type': 'application/problem+json' }, body }).code).toBe('proxy_shutting_down');
    expect(second?.toLowerCase()).toContain('connection: close');
  });
});
