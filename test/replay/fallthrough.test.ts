// replay --fallthrough: a request no fixture matches goes to the real API (here a local mTLS
// upstream) with the configured certificate, is recorded, and a second save adds it to the set.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnProxy } from '../support/cli.js';
import { startUpstream, upstreamEnv, type Upstream } from '../support/harness.js';
import { fixtureRecord, writeRecords } from '../support/records-fixture.js';
import { readFixtureFile, readIndexFile, send } from './helpers.js';

let dir: string;
let fixtures: string;
let upstream: Upstream;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-fallthrough-'));
  fixtures = path.join(dir, 'fixtures');
  const logDir = path.join(dir, 'logs');
  await writeRecords(logDir, [fixtureRecord({ url: '/t/clients/1', responseBody: { id: 1, from: 'the fixture' } })]);
  expect((await runCli(['fixtures', 'save', '--out', fixtures, '--log-dir', logDir], { cwd: dir })).code).toBe(0);
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ons-proxy replay --fallthrough', () => {
  it('answers from fixtures where they match and sends the rest to the API with the certificate, recorded as usual', async () => {
    const replayLogs = path.join(dir, 'replay-logs');
    const replay = await spawnProxy(['replay', fixtures, '--fallthrough', '--latency', '0'], { cwd: dir, env: upstreamEnv(upstream, replayLogs) });
    try {
      const fromFixture = await send(replay.url, { path: '/t/clients/1' });
      expect(JSON.parse(fromFixture.bytes.toString())).toEqual({ id: 1, from: 'the fixture' });
      expect(upstream.mock.stats.requests).toBe(0);

      const fromApi = await send(replay.url, { path: '/t/clients/3' });
      expect(fromApi.status).toBe(200);
      expect(JSON.parse(fromApi.bytes.toString())).toMatchObject({ id: 3 });
      expect(fromApi.headers['x-ons-proxy-replay']).toBe('fallthrough');
      // The mock answers 495 to a call without a client certificate it trusts.
      expect(upstream.mock.stats.requests).toBe(1);

      // The fixture server behind the proxy takes only the proxy's own certificate: no way around its guards.
      const status = JSON.parse((await send(replay.url, { path: '/__proxy/status' })).bytes.toString()) as { upstream: string };
      expect(status.upstream).toMatch(/^https:\/\/localhost:\d+$/);
      const bypass = new Agent({ connect: { rejectUnauthorized: false } });
      try {
        await expect(request(`${status.upstream}/t/clients/4`, { dispatcher: bypass })).rejects.toThrow();
      } finally {
        await bypass.close();
      }
      expect(upstream.mock.stats.requests).toBe(1);
    } finally {
      expect(await replay.stop()).toBe(0);
    }

    const { code, stdout } = await runCli(['fixtures', 'save', '--out', fixtures, '--log-dir', replayLogs], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toContain(`Wrote 1 new fixture to ${fixtures}.`);
    const index = await readIndexFile(fixtures);
    expect(index.map((entry) => entry.file)).toEqual(['get-t-clients-1.json', 'get-t-clients-3.json']);
    const added = await readFixtureFile(fixtures, 'get-t-clients-3.json');
    expect(added.response.body).toMatchObject({ id: 3 });
    expect(added.response.headers).not.toHaveProperty('x-ons-proxy-replay');
  });

  it('says which settings it needs when no certificate is configured', async () => {
    const { code, stderr } = await runCli(['replay', fixtures, '--fallthrough'], { cwd: dir, env: { ONS_PROXY_PORT: '0' } });
    expect(code).toBe(2);
    expect(stderr).toBe('ons-proxy: --fallthrough sends misses to the real API and needs its certificate: set ONS_PROXY_CERT and ONS_PROXY_KEY (or ONS_PROXY_PFX), or replay without --fallthrough.\n');
  });
});
