// The package's own entry (package.json "exports"): a program starts the proxy in-process with
// settings keyed like a config file and reads the records it wrote.
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, readRecords, startProxy, type ProxySettings, type TrafficRecord } from '../../src/index.js';
import { startUpstream, type Upstream } from '../support/harness.js';

let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});

describe('startProxy from the package entry', () => {
  it('forwards over mTLS with the given settings and records the exchange', async () => {
    const logDir = path.join(upstream.dir, 'api-logs');
    const proxy = await startProxy(
      { upstream: upstream.mock.url, cert: upstream.pki.client.certPath, key: upstream.pki.client.keyPath, ca: upstream.pki.ca.certPath, port: 0, logDir, logLevel: 'silent' },
      { cwd: upstream.dir },
    );
    let id: string | undefined;
    try {
      const response = await request(`${proxy.url}/ping`);
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('pong');
      id = String(response.headers['x-request-id']);
    } finally {
      await proxy.close();
    }
    const records: TrafficRecord[] = [];
    for await (const record of readRecords({ logDir })) records.push(record);
    expect(records).toEqual([expect.objectContaining({ id, method: 'GET', url: '/ping', status: 200 })]);
  });

  it('resolves relative paths against the given folder, as a config file would', async () => {
    const proxy = await startProxy(
      { upstream: upstream.mock.url, cert: path.relative(upstream.dir, upstream.pki.client.certPath), key: path.relative(upstream.dir, upstream.pki.client.keyPath), ca: upstream.pki.ca.certPath, port: 0, logDir: 'relative-logs', logLevel: 'silent' },
      { cwd: upstream.dir },
    );
    try {
      expect(proxy.config.cert).toBe(upstream.pki.client.certPath);
      expect(proxy.config.logDir).toBe(path.join(upstream.dir, 'relative-logs'));
    } finally {
      await proxy.close();
    }
  });

  it('rejects a setting it does not know with one line naming the known ones', async () => {
    // A JavaScript caller, or a typo TypeScript did not see (settings read from JSON).
    const misspelt: Record<string, unknown> = { prot: 8080 };
    const attempt = startProxy(misspelt as ProxySettings, { cwd: upstream.dir });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(/^Unknown setting "prot" in the settings passed to startProxy\. Known settings: environment, .*port/);
  });
});
