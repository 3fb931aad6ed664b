// The proxy's own URL space: its 404 names what is registered under /__proxy/, whoever registered it.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import type { ProxyFeature } from '../../src/proxy/feature.js';
import { configFor, startUpstream, type Upstream } from '../support/harness.js';

let upstream: Upstream;
let proxy: RunningInstance;

const extraPage: ProxyFeature = {
  name: 'extra-page',
  phase: 'observe',
  register(app) {
    app.get('/__proxy/extra', async () => ({ extra: true }));
  },
};

beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await startInstance(configFor(upstream), { logger: createConsoleLogger('silent'), extraFeatures: [extraPage] });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

describe('an unknown path under /__proxy/', () => {
  it('gets a 404 that lists the pages registered there, a feature\'s own page included', async () => {
    const before = upstream.mock.stats.requests;
    const response = await request(`${proxy.url}/__proxy/nope`);
    expect(response.statusCode).toBe(404);
    const problem = (await response.body.json()) as { code: string; detail: string };
    expect(problem.code).toBe('proxy_page_not_found');
    for (const page of ['/__proxy/', '/__proxy/health', '/__proxy/status', '/__proxy/har', '/__proxy/api/exchanges', '/__proxy/extra']) {
      expect(problem.detail.split(/[ (),;]+/)).toContain(page);
    }
    expect(problem.detail).not.toContain('/__proxy/*');
    expect(upstream.mock.stats.requests).toBe(before);
  });

  it('leaves the registered pages answering', async () => {
    const extra = await request(`${proxy.url}/__proxy/extra`);
    expect(await extra.body.json()).toEqual({ extra: true });
    const health = await request(`${proxy.url}/__proxy/health`);
    expect(await health.body.json()).toEqual({ status: 'ok' });
  });
});
