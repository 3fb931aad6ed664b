import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { ProxyConfig } from '../../src/config/load.js';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { configFor, type Upstream } from '../support/harness.js';
import { assertValidRecord } from '../support/records.js';

/** A document in the shape of Ons's, written for these tests. */
export const ONS_SHAPE_FIXTURE = fileURLToPath(new URL('../fixtures/openapi/ons-shape.json', import.meta.url));

export interface ProxyWithConsole {
  readonly proxy: RunningInstance;
  /** The console's JSON lines so far. */
  lines(): Array<Record<string, unknown>>;
}

export async function proxyWithDocument(upstream: Upstream, overrides: Partial<ProxyConfig>): Promise<ProxyWithConsole> {
  const console = new PassThrough();
  let text = '';
  console.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const config = configFor(upstream, { logLevel: 'info', ...overrides });
  const proxy = await startInstance(config, { logger: createConsoleLogger(config.logLevel, console) });
  return {
    proxy,
    lines: () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export interface Exchange {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly record: TrafficRecord;
}

/** Sends one request through the proxy and returns its answer and its record, as the inspector's API serves it. */
export async function exchange(proxy: RunningInstance, path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Exchange> {
  const response = await request(`${proxy.url}${path}`, {
    method: (init.method ?? 'GET') as 'GET',
    headers: { accept: 'application/json', ...init.headers },
    body: init.body,
  });
  await response.body.dump();
  const id = String(response.headers['x-request-id']);
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = await request(`${proxy.url}/__proxy/api/exchanges/${id}`);
    if (found.statusCode === 200) {
      const record = (await found.body.json()) as TrafficRecord;
      assertValidRecord(record);
      return { status: response.statusCode, headers: response.headers, record };
    }
    await found.body.dump();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no record for ${path} (${id})`);
}
