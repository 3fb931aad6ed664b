import { createHash } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicSha256, deterministicStream } from '../support/deterministic-bytes.js';
import { spawnProxy, type SpawnedProxy } from '../support/cli.js';
import { startUpstream, upstreamEnv, type Upstream } from '../support/harness.js';

// Big enough that buffering would show in the proxy's memory, small enough for CI.
const SIZE = 200 * 1024 * 1024;
// A streaming proxy stays near its idle footprint; buffering 200 MB would not fit under this.
const MAX_GROWTH_BYTES = 80 * 1024 * 1024;

let upstream: Upstream;
let proxy: SpawnedProxy;

beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await spawnProxy(['start'], {
    cwd: upstream.dir,
    env: upstreamEnv(upstream),
  });
});
afterAll(async () => {
  await proxy?.stop();
  await upstream?.close();
});

/** Samples the proxy's RSS while `work` runs and returns the peak growth over the idle value. */
async function peakGrowthDuring(work: () => Promise<void>): Promise<number> {
  const idle = proxy.rssBytes();
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, proxy.rssBytes());
  }, 50);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return peak - idle;
}

describe('streaming through the proxy process', () => {
  it('downloads 200 MB byte for byte with flat memory', async () => {
    // Warm up the connection pool and JIT so the idle RSS is representative.
    await (await request(`${proxy.url}/__mock/bytes?size=1000000`)).body.dump();
    let digest = '';
    let received = 0;
    const growth = await peakGrowthDuring(async () => {
      const response = await request(`${proxy.url}/__mock/bytes?size=${SIZE}&seed=download`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-length']).toBe(String(SIZE));
      const hash = createHash('sha256');
      for await (const chunk of response.body) {
        hash.update(chunk as Buffer);
        received += (chunk as Buffer).length;
      }
      digest = hash.digest('hex');
    });
    expect(received).toBe(SIZE);
    expect(digest).toBe(deterministicSha256(SIZE, 'download'));
    expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
  });

  it('uploads 200 MB byte for byte with flat memory', async () => {
    let answer: unknown;
    const growth = await peakGrowthDuring(async () => {
      const response = await request(`${proxy.url}/__mock/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: deterministicStream(SIZE, 'upload'),
      });
      expect(response.statusCode).toBe(200);
      answer = await response.body.json();
    });
    expect(answer).toEqual({ bytes: SIZE, sha256: deterministicSha256(SIZE, 'upload') });
    expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
  });
});
