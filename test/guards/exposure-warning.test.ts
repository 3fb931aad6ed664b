// Listening beyond loopback without an access token is loud: at start, on the status page
// and in the inspector; on loopback, or with a token, nothing is said.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance } from '../../src/instance/start-instance.js';
import type { ConsoleLogger } from '../../src/log/logger.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import { configFor, startProxy, startUpstream, type Upstream } from '../support/harness.js';

let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream();
});

afterAll(async () => {
  await upstream?.close();
});

async function json(url: string): Promise<Record<string, unknown>> {
  return (await (await request(url)).body.json()) as Record<string, unknown>;
}

describe('a proxy anyone on the network can use', () => {
  it('warns at start, on the status page and in the inspector', async () => {
    const warned: string[] = [];
    const silent = createConsoleLogger('silent');
    const logger: ConsoleLogger = Object.assign(Object.create(silent) as ConsoleLogger, { warn: (message: string) => warned.push(message) });
    const exposed = await startInstance(configFor(upstream, { host: '0.0.0.0', unsafeListen: true }), { logger });
    try {
      const local = exposed.url.replace('0.0.0.0', '127.0.0.1');
      // The certificate's own warnings (the demo key is short) come too.
      const exposure = warned.filter((message) => message.startsWith('Listening on'));
      expect(exposure).toEqual([expect.stringMatching(/^Listening on 0\.0\.0\.0 without an access token: .*ONS_PROXY_ACCESS_TOKEN/)]);
      expect((await json(`${local}/__proxy/status`)).warnings).toEqual(exposure);
      expect((await json(`${local}/__proxy/api/exchanges`)).warnings).toEqual(exposure);
    } finally {
      await exposed.close();
    }
  });

  it('says nothing on loopback or with a token', async () => {
    const local = await startProxy(upstream);
    const guarded = await startProxy(upstream, { host: '0.0.0.0', unsafeListen: true, accessToken: 'x' });
    try {
      expect((await json(`${local.url}/__proxy/status`)).warnings).toBeUndefined();
      expect((await json(`${local.url}/__proxy/api/exchanges`)).warnings).toEqual([]);
      const status = await request(`${guarded.url.replace('0.0.0.0', '127.0.0.1')}/__proxy/status`, { headers: { 'x-proxy-token': 'x' } });
      expect(((await status.body.json()) as Record<string, unknown>).warnings).toBeUndefined();
    } finally {
      await local.close();
      await guarded.close();
    }
  });
});
