// A failure on one of the proxy's own pages (under /__proxy/) has no traffic record to point
// at: the answer says where the details are, and the console has them, once.
import { Writable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import type { ProxyFeature } from '../../src/proxy/feature.js';
import { configFor, startUpstream, type Upstream } from '../support/harness.js';
import { allRecords } from '../support/records.js';

let upstream: Upstream;
let proxy: RunningInstance;
let consoleText = '';
let closed = false;

// A page that fails, as a bug in one of the proxy's own pages would.
const failingPage: ProxyFeature = {
  name: 'failing-page',
  phase: 'observe',
  register(app) {
    app.get('/__proxy/test-failing-page', () => {
      throw new Error('the page fell over');
    });
  },
};

beforeAll(async () => {
  upstream = await startUpstream();
  const lines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      consoleText += chunk.toString();
      done();
    },
  });
  proxy = await startInstance(configFor(upstream), { logger: createConsoleLogger('info', lines), extraFeatures: [failingPage] });
});

afterAll(async () => {
  if (!closed) await proxy?.close();
  await upstream?.close();
});

describe('a failure on one of the proxy own pages', () => {
  it('answers 500 pointing at the console, which names the page and the failure', async () => {
    const response = await request(`${proxy.url}/__proxy/test-failing-page?token=secret`);
    expect(response.statusCode).toBe(500);
    const problem = (await response.body.json()) as { code: string; detail: string };
    expect(problem.code).toBe('proxy_internal_error');
    expect(problem.detail).toContain('console output holds the details');
    expect(problem.detail).not.toContain('traffic record');
    const told = consoleText.split('\n').filter((line) => line.includes('the page fell over'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('GET /__proxy/test-failing-page');
    // The query (which may carry a token) is left out of the line.
    expect(told[0]).not.toContain('secret');
    // Closing writes out every record the proxy made.
    await proxy.close();
    closed = true;
    expect((await allRecords(proxy.config.logDir)).filter((record) => record.url.includes('test-failing-page'))).toEqual([]);
  });
});
