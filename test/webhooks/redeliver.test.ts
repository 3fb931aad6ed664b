// webhooks redeliver: PUT /webhooks/redeliver through a running proxy to the demo mock, with
// the connection's certificate, as against the real Ons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { runCli } from '../support/cli.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { allRecords } from '../support/records.js';
import { workspace } from './helpers.js';

describe('webhooks redeliver', () => {
  let upstream: Upstream;
  let proxy: RunningInstance;
  let proxyClosed: Promise<void> | undefined;
  const closeProxy = (): Promise<void> => (proxyClosed ??= proxy.close());
  const space = workspace();

  beforeAll(async () => {
    upstream = await startUpstream();
    proxy = await startProxy(upstream, { logDir: space.logDir });
  });
  afterAll(async () => {
    await closeProxy();
    await upstream.close();
  });

  it('asks the API to redeliver through the proxy, which records the call', async () => {
    const result = await runCli(['webhooks', 'redeliver', '--proxy', proxy.url], { cwd: space.dir, env: space.env });
    expect(result.stdout).toContain('PUT /webhooks/redeliver -> 204');
    expect(result.code).toBe(0);
    await closeProxy(); // the traffic file is complete once the proxy has closed
    const [record] = (await allRecords(space.logDir)).filter((entry) => entry.url === '/webhooks/redeliver');
    expect(record).toMatchObject({ method: 'PUT', status: 204 });
    expect(record?.upstreamUrl).toBe(`${upstream.mock.url}/webhooks/redeliver`);
  });

  it('says in one line when no proxy runs there (exit 1)', async () => {
    const result = await runCli(['webhooks', 'redeliver', '--proxy', 'http://127.0.0.1:9'], { cwd: space.dir, env: space.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('ons-proxy: No proxy answers at http://127.0.0.1:9 (ECONNREFUSED): start it with "ons-proxy start" (or "ons-proxy demo"), or name it with --proxy.\n');
  });
});
