// `ons-proxy endpoints`: the endpoint list for the Technical Design, built from the traffic
// records a real proxy wrote, printed by the built command line.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSince } from '../../src/traffic/filter.js';
import type { EndpointUsage } from '../../src/reports/endpoints.js';
import { pathTemplate, summarizeEndpoints } from '../../src/reports/endpoints.js';
import { localDay, trafficFileName } from '../../src/traffic/record.js';
import { runCli } from '../support/cli.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';

/** Whatever this machine has cached: these records are about path grouping, without a document. */
const NO_DOCUMENT = { ONS_PROXY_OPENAPI: 'off' };

describe('summed-up refusals in the report', () => {
  it('counts a record that stands for identical refusals as the calls they were', () => {
    const [usage] = summarizeEndpoints([
      { method: 'GET', url: '/t/clients', status: 403, time: '2026-11-28T12:00:00.000Z' },
      { method: 'GET', url: '/t/clients?x=1', status: 403, time: '2026-11-28T12:00:00.100Z', repeated: { count: 1999, until: '2026-11-28T12:00:01.000Z' } },
    ]);
    expect(usage).toMatchObject({ calls: 2000, statuses: { '403': 2000 }, firstSeen: '2026-11-28T12:00:00.000Z', lastSeen: '2026-11-28T12:00:01.000Z' });
  });
});

describe('path templates', () => {
  it.each([
    ['/t/clients', '/t/clients'],
    ['/t/clients/42', '/t/clients/{id}'],
    ['/t/clients/42/notes?limit=10&offset=20', '/t/clients/{id}/notes'],
    ['/v0/administration/clients/3/addresses/7', '/v0/administration/clients/{id}/addresses/{id}'],
    ['/t/documents/3f2504e0-4f89-11d3-9a0c-0305e82c3301', '/t/documents/{id}'],
    ['/t/files/5f1d7a3e9c2b4a0012345678', '/t/files/{id}'],
    ['/t/attachments/aGVsbG8gd29ybGQgdGhpcyBpcyBh1', '/t/attachments/{id}'],
    ['/v0/administration/employees', '/v0/administration/employees'],
    ['/t/careplanentries/byClient', '/t/careplanentries/byClient'],
    ['/ping', '/ping'],
    ['/', '/'],
  ])('%s -> %s', (url, template) => {
    expect(pathTemplate(url)).toBe(template);
  });
});

describe('--since', () => {
  const now = new Date(2026, 10, 28, 12, 0, 0);
  it('reads relative, day and date-time moments', () => {
    expect(parseSince('2h', now)).toEqual(new Date(2026, 10, 28, 10, 0, 0));
    expect(parseSince('7d', now)).toEqual(new Date(2026, 10, 21, 12, 0, 0));
    expect(parseSince('today', now)).toEqual(new Date(2026, 10, 28));
    expect(parseSince('yesterday', now)).toEqual(new Date(2026, 10, 27));
    expect(parseSince('2026-11-01', now)).toEqual(new Date(2026, 10, 1));
    expect(parseSince('2026-11-01T09:30:00Z', now)).toEqual(new Date(Date.UTC(2026, 10, 1, 9, 30)));
  });
  it('refuses anything else with the formats it takes', () => {
    expect(() => parseSince('last week', now)).toThrow(/--since "last week" is not a moment: use a duration \(90s, 10m, 2h, 7d\), today/);
  });
});

describe('ons-proxy endpoints', () => {
  let upstream: Upstream;
  let logDir: string;

  beforeAll(async () => {
    upstream = await startUpstream();
    logDir = path.join(upstream.dir, 'logs');
    const proxy = await startProxy(upstream, { logDir, logTag: 'dev' });
    const call = async (method: string, url: string, body?: string): Promise<number> => {
      const response = await request(`${proxy.url}${url}`, { method: method as 'GET', body, headers: body ? { 'content-type': 'application/json' } : {} });
      await response.body.dump();
      return response.statusCode;
    };
    expect(await call('GET', '/t/clients?limit=2')).toBe(200);
    for (const id of [1, 2, 3]) expect(await call('GET', `/t/clients/${id}`)).toBe(200);
    expect(await call('GET', '/t/clients/999')).toBe(404);
    expect(await call('POST', '/t/clients/1/notes', '{"text":"visited"}')).toBe(201);
    expect(await call('POST', '/t/clients/2/notes', '{"text":"called"}')).toBe(201);
    expect(await call('GET', '/t/finance/invoices')).toBe(403);
    expect(await call('GET', '/__proxy/health')).toBe(200);
    await proxy.close();

    // An exchange from ten days ago, as an older day's file holds it: --since must leave it out.
    const old = new Date(Date.now() - 10 * 86_400_000);
    const oldRecord = { id: 'old', time: old.toISOString(), durationMs: 1, method: 'DELETE', url: '/t/clients/5', status: 204, profile: 'default', queuedMs: 0, request: { headers: {}, bodyBytes: 0, bodyTruncated: false, bodyEncoding: 'omitted' }, response: { headers: {}, bodyBytes: 0, bodyTruncated: false, bodyEncoding: 'omitted' } };
    await mkdir(logDir, { recursive: true });
    await writeFile(path.join(logDir, trafficFileName(localDay(old))), `${JSON.stringify(oldRecord)}\n`);
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('lists each method and path template once, with calls and statuses', async () => {
    const result = await runCli(['endpoints', '--log-dir', logDir], { cwd: upstream.dir, env: NO_DOCUMENT });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`5 endpoints, 9 calls in ${logDir}:`);
    expect(lines[1]).toBe('No API document (ONS_PROXY_OPENAPI=off): operations are named only where the records name them.');
    expect(lines.slice(2).filter(Boolean).map((line) => line.replace(/\s+/g, ' '))).toEqual([
      'METHOD PATH CALLS STATUSES',
      'GET /t/clients 1 200×1',
      'DELETE /t/clients/{id} 1 204×1',
      'GET /t/clients/{id} 4 200×3, 404×1',
      'POST /t/clients/{id}/notes 2 201×2',
      'GET /t/finance/invoices 1 403×1',
    ]);
  });

  it('leaves out what came before --since, and prints JSON with --json', async () => {
    const result = await runCli(['endpoints', '--log-dir', logDir, '--since', '2d', '--json'], { cwd: upstream.dir, env: NO_DOCUMENT });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { calls: number; logDirs: string[]; endpoints: EndpointUsage[] };
    expect(report.logDirs).toEqual([logDir]);
    expect(report.calls).toBe(8);
    expect(report.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(['GET /t/clients', 'GET /t/clients/{id}', 'POST /t/clients/{id}/notes', 'GET /t/finance/invoices']);
    expect(report.endpoints[1]?.statuses).toEqual({ 200: 3, 404: 1 });
  });

  it('finds the log folder in the config file, per profile', async () => {
    const configFile = path.join(upstream.dir, 'profiles.json');
    await writeFile(configFile, JSON.stringify({ profiles: { development: { logDir: 'logs', port: 18080 }, staging: { environment: 'staging', logDir: 'staging-logs', port: 18081 } } }));
    const result = await runCli(['endpoints', '--config', configFile, '--json'], { cwd: upstream.dir, env: NO_DOCUMENT });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // staging never ran, so it has no folder yet: that is not an error while another profile has records.
    const report = JSON.parse(result.stdout) as { calls: number; logDirs: string[] };
    expect(report).toMatchObject({ calls: 9, logDirs: [logDir] });
    const development = await runCli(['endpoints', '--config', configFile, '--profile', 'development', '--json'], { cwd: upstream.dir, env: NO_DOCUMENT });
    // The records were written by a proxy without profiles ("default").
    expect((JSON.parse(development.stdout) as { calls: number }).calls).toBe(0);
    const all = await runCli(['endpoints', '--config', configFile, '--profile', 'default'], { cwd: upstream.dir, env: NO_DOCUMENT });
    expect(all.code).toBe(2);
    expect(all.stderr).toMatch(/^ons-proxy: No profile "default" in the configuration/);
  });

  it('says in one line what is wrong with a bad --since or a missing log folder', async () => {
    const badSince = await runCli(['endpoints', '--log-dir', logDir, '--since', 'soon'], { cwd: upstream.dir, env: NO_DOCUMENT });
    expect(badSince.code).toBe(2);
    expect(badSince.stderr.trim().split('\n')).toEqual(['ons-proxy: --since "soon" is not a moment: use a duration (90s, 10m, 2h, 7d), today, yesterday, a day (2026-11-01) or a date-time (2026-11-01T09:00).']);
    const missing = await runCli(['endpoints', '--log-dir', path.join(upstream.dir, 'nowhere')], { cwd: upstream.dir, env: NO_DOCUMENT });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('does not exist');
  });
});
