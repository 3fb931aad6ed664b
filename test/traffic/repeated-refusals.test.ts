// A foreign page looping refused requests must not flood the records: identical refusals are
// summed up, while every real exchange keeps its own record and its place in the inspector.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { runCli } from '../support/cli.js';
import { validateHar } from '../support/har-schema.js';
import { allRecords, assertValidRecord } from '../support/records.js';

const FOREIGN_ORIGIN = 'http://attacker.example';
const REBINDING_HOST = 'rebound.attacker.example';

let upstream: Upstream;
let agent: Agent;

beforeAll(async () => {
  upstream = await startUpstream();
  agent = new Agent({ connections: 8 });
});

afterAll(async () => {
  await agent.close();
  await upstream.close();
});

/** Sends `count` requests, `parallel` at a time, and returns the statuses the client got. */
async function flood(proxyUrl: string, count: number, headers: Record<string, string>, pathOf: (index: number) => string): Promise<number[]> {
  const statuses: number[] = [];
  const parallel = 8;
  for (let start = 0; start < count; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - start) }, async (_unused, offset) => {
      const response = await request(`${proxyUrl}${pathOf(start + offset)}`, { dispatcher: agent, headers });
      await response.body.dump();
      return response.statusCode;
    });
    statuses.push(...(await Promise.all(batch)));
  }
  return statuses;
}

/** How many requests the records account for: a summed-up record counts every refusal it stands for. */
function refusalsCounted(records: readonly TrafficRecord[], matches: (record: TrafficRecord) => boolean): number {
  return records.filter(matches).reduce((sum, record) => sum + (record.repeated?.count ?? 1), 0);
}

const fromForeignOrigin = (record: TrafficRecord): boolean => record.request.headers.origin === FOREIGN_ORIGIN;
const toReboundHost = (record: TrafficRecord): boolean => String(record.request.headers.host).startsWith(REBINDING_HOST);

describe('repeated refusals', () => {
  let proxy: RunningInstance;
  let logDir: string;
  let realId: string;
  let records: TrafficRecord[];
  let inspectorIds: string[];

  beforeAll(async () => {
    logDir = path.join(upstream.dir, 'flood-logs');
    proxy = await startProxy(upstream, { logDir, inspectorLimit: 50 });
    const origins = flood(proxy.url, 1000, { origin: FOREIGN_ORIGIN }, (index) => `/v0/administration/clients?cachebust=${index}`);
    const rebinding = flood(proxy.url, 1000, { host: REBINDING_HOST }, () => '/v0/administration/clients');
    // A real exchange in the middle of the flood.
    const real = await request(`${proxy.url}/__mock/echo?real=1`, { dispatcher: agent });
    await real.body.dump();
    realId = String(real.headers['x-request-id']);
    const statuses = [...(await origins), ...(await rebinding)];
    expect(new Set(statuses)).toEqual(new Set([403]));
    const listed = await request(`${proxy.url}/__proxy/api/exchanges`, { dispatcher: agent });
    inspectorIds = ((await listed.body.json()) as { exchanges: Array<{ id: string }> }).exchanges.map((exchange) => exchange.id);
    await proxy.close();
    records = await allRecords(logDir);
  });

  it('sums up 2,000 looped refusals into a handful of records that still count every one', () => {
    for (const record of records) assertValidRecord(record);
    expect(refusalsCounted(records, fromForeignOrigin)).toBe(1000);
    expect(refusalsCounted(records, toReboundHost)).toBe(1000);
    const refusals = records.filter((record) => fromForeignOrigin(record) || toReboundHost(record));
    expect(refusals.length).toBeLessThan(30);
    expect(refusals.some((record) => (record.repeated?.count ?? 0) > 1)).toBe(true);
    for (const { repeated, time, id } of refusals) {
      if (repeated === undefined) continue;
      expect(repeated.until >= time).toBe(true);
      expect(repeated.lastId).not.toBe(id);
    }
  });

  it('keeps the traffic file small', async () => {
    const sizes = await Promise.all((await readdir(logDir)).map(async (name) => (await stat(path.join(logDir, name))).size));
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThan(100 * 1024);
  });

  it('records the real exchange in between on its own, and keeps it in the inspector', () => {
    const real = records.filter((record) => record.id === realId);
    expect(real).toHaveLength(1);
    expect(real[0]?.status).toBe(200);
    expect(real[0]?.repeated).toBeUndefined();
    expect(inspectorIds).toContain(realId);
  });

  it('shows the count in `ons-proxy logs` and names it in the HAR export', async () => {
    const summed = records.find((record) => (record.repeated?.count ?? 0) > 1);
    expect(summed).toBeDefined();
    const listed = await runCli(['logs', '--log-dir', logDir], { cwd: upstream.dir });
    expect(listed.code).toBe(0);
    const line = listed.stdout.split('\n').find((text) => text.includes(summed?.id ?? '-'));
    expect(line).toContain(`${summed?.repeated?.count.toLocaleString('en-US')} identical refusals`);
    const exported = await runCli(['har', '--log-dir', logDir], { cwd: upstream.dir });
    expect(exported.code).toBe(0);
    const har = JSON.parse(exported.stdout) as { log: { entries: Array<{ _id: string; comment?: string }> } };
    validateHar(har);
    expect(har.log.entries).toHaveLength(records.length);
    const entry = har.log.entries.find((candidate) => candidate._id === summed?.id);
    expect(entry?.comment).toContain(`${summed?.repeated?.count.toLocaleString('en-US')} identical refusals`);
  });
});

describe('repeated refusals at shutdown', () => {
  it('writes the sum still open when the proxy stops', async () => {
    const logDir = path.join(upstream.dir, 'shutdown-logs');
    const proxy = await startProxy(upstream, { logDir });
    const statuses = await flood(proxy.url, 200, { origin: FOREIGN_ORIGIN }, () => '/v0/administration/employees');
    expect(new Set(statuses)).toEqual(new Set([403]));
    await proxy.close();
    const records = await allRecords(logDir);
    for (const record of records) assertValidRecord(record);
    expect(refusalsCounted(records, fromForeignOrigin)).toBe(200);
    expect(records.some((record) => record.repeated !== undefined)).toBe(true);
  });

  it('keeps refusals of another path or Origin apart', async () => {
    const logDir = path.join(upstream.dir, 'kinds-logs');
    const proxy = await startProxy(upstream, { logDir });
    await flood(proxy.url, 20, { origin: FOREIGN_ORIGIN }, (index) => `/v0/administration/clients/${index % 2}`);
    await flood(proxy.url, 20, { origin: 'http://other.example' }, () => '/v0/administration/clients/0');
    await proxy.close();
    const records = await allRecords(logDir);
    const kinds = new Set(records.map((record) => `${String(record.request.headers.origin)} ${record.url}`));
    expect(kinds).toEqual(new Set([`${FOREIGN_ORIGIN} /v0/administration/clients/0`, `${FOREIGN_ORIGIN} /v0/administration/clients/1`, 'http://other.example /v0/administration/clients/0']));
    expect(refusalsCounted(records, () => true)).toBe(40);
  });
});
