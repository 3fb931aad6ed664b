// Without the JSON check thread (here: Node's permission model, which refuses worker threads
// unless --allow-worker is given) large JSON bodies are still checked and recorded as JSON, on
// the event loop, and the console says once why the proxy is slower.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_CHECK_SLICE_BYTES } from '../../src/traffic/json-body.js';
import { OFF_THREAD_BYTES } from '../../src/traffic/json-check-thread.js';
import { spawnProxy } from '../support/cli.js';
import { startUpstream, upstreamEnv, type Upstream } from '../support/harness.js';
import { onsListAnswer } from '../support/ons-payloads.js';
import { allRecords, byId } from '../support/records.js';

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});

describe('large JSON bodies without the check thread', () => {
  it('are checked on the event loop, recorded as JSON, with one warning that says why', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-no-thread-'));
    const logDir = path.join(cwd, 'logs');
    const proxy = await spawnProxy(['start'], {
      cwd,
      env: { ...upstreamEnv(upstream, logDir), NODE_OPTIONS: '--experimental-permission --allow-fs-read=* --allow-fs-write=*', NODE_NO_WARNINGS: '1' },
    });
    // Of the size the thread would check.
    const valid = onsListAnswer(OFF_THREAD_BYTES);
    const invalid = `{"remarks":"${'x'.repeat(OFF_THREAD_BYTES)}\t"}`;
    // Larger than one slice: checked a slice per event-loop turn.
    const sliced = onsListAnswer(JSON_CHECK_SLICE_BYTES * 3);
    const ids: string[] = [];
    try {
      for (const body of [valid, invalid, valid, sliced]) {
        const response = await request(`${proxy.url}/__mock/echo`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        await response.body.dump();
        expect(response.statusCode).toBe(200);
        ids.push(String(response.headers['x-request-id']));
      }
    } finally {
      await proxy.stop();
    }
    const records = await allRecords(logDir);
    expect(byId(records, ids[0]!).request).toMatchObject({ bodyEncoding: 'json', body: JSON.parse(valid.toString()) });
    expect(byId(records, ids[1]!).request).toMatchObject({ bodyEncoding: 'text', body: invalid });
    expect(byId(records, ids[2]!).request).toMatchObject({ bodyEncoding: 'json' });
    expect(byId(records, ids[3]!).request).toMatchObject({ bodyEncoding: 'json', body: JSON.parse(sliced.toString()) });
    const warnings = proxy.output().split('\n').filter((line) => line.includes('check thread is unavailable'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('--allow-worker');
    expect(proxy.output()).not.toContain('could not describe the bodies');
  });
});
