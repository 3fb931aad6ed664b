// replay --fallback mock: fixtures answer what they match, the mock generates the rest, both
// inside the proxy (no fixture server, no certificate); a header and the record say which.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnProxy } from '../support/cli.js';
import { fixtureRecord, writeRecords } from '../support/records-fixture.js';
import { allRecords, byId } from '../support/records.js';
import { call } from './helpers.js';

const DEMO_DOCUMENT = fileURLToPath(new URL('../../config/demo-openapi.json', import.meta.url));

let dir: string;
let fixtures: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-mock-fallback-'));
  fixtures = path.join(dir, 'fixtures');
  const logDir = path.join(dir, 'recorded');
  await writeRecords(logDir, [fixtureRecord({ url: '/v0/administration/clients/1', responseBody: { id: 1, from: 'the fixture' } })]);
  expect((await runCli(['fixtures', 'save', '--out', fixtures, '--log-dir', logDir], { cwd: dir })).code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ons-proxy replay --fallback mock', () => {
  it('answers from the fixtures first and generates the rest, saying which in a header and in the record', async () => {
    const logs = path.join(dir, 'logs');
    const replay = await spawnProxy(['replay', fixtures, '--fallback', 'mock', '--openapi', DEMO_DOCUMENT, '--latency', '0'], { cwd: dir, env: { ONS_PROXY_LOG_DIR: logs, HOME: dir } });
    let fromFixture;
    let generated;
    try {
      expect(replay.output()).toContain('misses answered by the mock from');
      fromFixture = await call(replay.url, '/v0/administration/clients/1');
      expect(JSON.parse(fromFixture.text)).toEqual({ id: 1, from: 'the fixture' });
      expect(fromFixture.headers['x-ons-proxy-replay']).toBe('get-v0-administration-clients-1.json');
      expect(fromFixture.headers['x-ons-proxy-mock']).toBeUndefined();

      generated = await call(replay.url, '/v0/administration/clients/2');
      expect(generated.status).toBe(200);
      expect(JSON.parse(generated.text)).toMatchObject({ id: 2, name: { family: expect.any(String) as string } });
      expect(generated.headers['x-ons-proxy-replay']).toBe('mock');
      expect(generated.headers['x-ons-proxy-mock']).toBe('ClientAPI.byId');
    } finally {
      expect(await replay.stop()).toBe(0);
    }
    const records = await allRecords(logs);
    expect(byId(records, fromFixture.headers['x-request-id'])).toMatchObject({ answeredBy: 'fixture', tag: 'replay', status: 200 });
    expect(byId(records, generated.headers['x-request-id'])).toMatchObject({ answeredBy: 'mock', tag: 'replay', operation: { id: 'ClientAPI.byId' } });
  });

  it('refuses a fallback it does not know, and one beside --fallthrough', async () => {
    const unknown = await runCli(['replay', fixtures, '--fallback', 'api'], { cwd: dir, env: { ONS_PROXY_PORT: '0' } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('ons-proxy: --fallback "api" is not known: use --fallback mock (answers generated from the API document), or --fallthrough (the real API).\n');
    const both = await runCli(['replay', fixtures, '--fallback', 'mock', '--fallthrough'], { cwd: dir, env: { ONS_PROXY_PORT: '0' } });
    expect(both.stderr).toBe('ons-proxy: --fallback mock and --fallthrough both answer the misses: choose one.\n');
  });
});
