// Shared by the behaviour suites: a real mTLS upstream (the demo mock) and a real proxy
// listening on loopback, wired the way `ons-proxy start` wires them.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type ProxyConfig } from '../../src/config/load.js';
import { startMockOnsApi, writeDemoPki, type DemoPki, type MockOnsApi } from '../../src/demo/index.js';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import { createTestRoutes } from './mock-test-routes.js';

export interface Upstream {
  readonly pki: DemoPki;
  readonly mock: MockOnsApi;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startUpstream(options: { maxParallelPerCertificate?: number; removedPaths?: 'not-found' | 'serve' } = {}): Promise<Upstream> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-test-'));
  const pki = await writeDemoPki(dir);
  const mock = await startMockOnsApi({
    pki: { serverCertPem: pki.server.certPem, serverKeyPem: pki.server.keyPem, caPem: pki.ca.certPem },
    // Most suites were written against the /t/ paths; what Ons answers for them now is test/openapi's subject.
    removedPaths: options.removedPaths ?? 'serve',
    extraRoutes: createTestRoutes(),
    ...(options.maxParallelPerCertificate !== undefined ? { maxParallelPerCertificate: options.maxParallelPerCertificate } : {}),
  });
  return {
    pki,
    mock,
    dir,
    async close() {
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A configuration as `start` would resolve it, pointed at the upstream, with overrides applied last. */
export function configFor(upstream: Upstream, overrides: Partial<ProxyConfig> = {}): ProxyConfig {
  const [base] = loadConfig({ flags: {}, env: {}, cwd: upstream.dir });
  if (!base) throw new Error('no configuration resolved');
  return {
    ...base,
    upstream: upstream.mock.url,
    cert: upstream.pki.client.certPath,
    key: upstream.pki.client.keyPath,
    ca: upstream.pki.ca.certPath,
    port: 0,
    logDir: path.join(upstream.dir, 'logs'),
    logLevel: 'silent',
    // Never the user's own cached API document: suites that want one name a fixture.
    openapi: 'off',
    ...overrides,
  };
}

export async function startProxy(upstream: Upstream, overrides: Partial<ProxyConfig> = {}): Promise<RunningInstance> {
  const config = configFor(upstream, overrides);
  return startInstance(config, { logger: createConsoleLogger('silent') });
}

/** The environment that points the command line at the upstream with the demo client certificate. */
export function upstreamEnv(upstream: Upstream, logDir = path.join(upstream.dir, 'logs')): Record<string, string> {
  return {
    ONS_PROXY_UPSTREAM: upstream.mock.url,
    ONS_PROXY_CERT: upstream.pki.client.certPath,
    ONS_PROXY_KEY: upstream.pki.client.keyPath,
    ONS_PROXY_CA: upstream.pki.ca.certPath,
    ONS_PROXY_LOG_DIR: logDir,
  };
}
