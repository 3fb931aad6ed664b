// What fixtures save refuses and masks: care data from staging and production, the
// redaction fields, and bodies cut at the record's body limit (whole with --capture-full).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { runCli } from '../support/cli.js';
import { startProxy, startUpstream } from '../support/harness.js';
import { allRecords } from '../support/records.js';
import { fixtureRecord, writeRecords } from '../support/records-fixture.js';
import { readFixtureFile, readIndexFile, send } from './helpers.js';

// Passes the BSN check (the "elfproef"), as a real one would.
const BSN = '111222333';

function fromUpstream(base: string, record: TrafficRecord): TrafficRecord {
  return { ...record, upstreamUrl: `${base}${record.url}` };
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-save-rules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fixtures save and care data', () => {
  let logDir: string;
  beforeAll(async () => {
    logDir = path.join(dir, 'care-logs');
    const client = { id: 7, bsn: BSN, dateOfBirth: '1950-01-01', phone: '0612345678', note: `Spoke about BSN ${BSN} today` };
    await writeRecords(logDir, [
      fixtureRecord({ url: '/t/clients/1' }),
      fromUpstream('https://api.ons.io', fixtureRecord({ url: `/t/clients/by_bsn?bsn=${BSN}`, responseBody: client })),
      fromUpstream('https://api-staging.ons.io', fixtureRecord({ url: '/t/clients/7', responseBody: client })),
    ]);
  });

  it('refuses a set with staging or production exchanges, and writes nothing', async () => {
    const out = path.join(dir, 'refused');
    const { code, stdout, stderr } = await runCli(['fixtures', 'save', '--out', out, '--log-dir', logDir], { cwd: dir });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^ons-proxy: 2 of the exchanges come from (production and staging|staging and production), where answers hold real care data, .*--allow-care-data .*Nothing was written\.\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('with --allow-care-data, masks BSN-like values everywhere and the redaction fields', async () => {
    const out = path.join(dir, 'allowed');
    const { code, stdout } = await runCli(['fixtures', 'save', '--out', out, '--log-dir', logDir, '--allow-care-data'], { cwd: dir, env: { ONS_PROXY_REDACT_FIELDS: 'dateOfBirth' } });
    expect(code).toBe(0);
    expect(stdout).toContain('2 of them come from staging or production: BSN-like values and the redaction fields are masked.');
    const index = await readIndexFile(out);
    expect(index).toHaveLength(3);
    for (const entry of index) expect(await readFile(path.join(out, entry.file), 'utf8')).not.toContain(BSN);
    const production = await readFixtureFile(out, 'get-t-clients-by_bsn.json');
    expect(production.request.query).toEqual({ bsn: '[redacted]' });
    expect(production.response.body).toEqual({ id: 7, bsn: '[redacted]', dateOfBirth: '[redacted]', phone: '0612345678', note: 'Spoke about BSN [redacted] today' });
  });

  it('applies the redaction settings to development sets too', async () => {
    const devLogs = path.join(dir, 'dev-logs');
    await writeRecords(devLogs, [fixtureRecord({ url: '/t/clients/2', responseBody: { id: 2, firstName: 'Fake', lastName: 'Person' } })]);
    const out = path.join(dir, 'dev');
    expect((await runCli(['fixtures', 'save', '--out', out, '--log-dir', devLogs, '--redact-fields', 'lastName'], { cwd: dir })).code).toBe(0);
    expect((await readFixtureFile(out, 'get-t-clients-2.json')).response.body).toEqual({ id: 2, firstName: 'Fake', lastName: '[redacted]' });
  });
});

describe('fixtures save and the body limit', () => {
  it('names the exchanges cut at the body limit, and saves them whole from a --capture-full session', async () => {
    const upstream = await startUpstream();
    const cutLogs = path.join(dir, 'cut-logs');
    const fullLogs = path.join(dir, 'full-logs');
    let whole: Buffer;
    try {
      const limited = await startProxy(upstream, { logDir: cutLogs, logBodyLimit: 100 });
      await send(limited.url, { path: '/t/clients?limit=20' });
      await send(limited.url, { path: '/ping', headers: { accept: 'text/plain' } });
      await limited.close();
      const full = await startProxy(upstream, { logDir: fullLogs, logBodyLimit: 100, captureFull: true });
      whole = (await send(full.url, { path: '/t/clients?limit=20' })).bytes;
      await full.close();
    } finally {
      await upstream.close();
    }
    const [cut] = await allRecords(cutLogs);
    const saved = await runCli(['fixtures', 'save', '--out', path.join(dir, 'cut'), '--log-dir', cutLogs], { cwd: dir });
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain('Wrote 1 new fixture');
    expect(saved.stdout).toContain(`Not saved: 1 exchange cut at the body limit, so they cannot be saved whole (record them again with "ons-proxy start --capture-full", or a larger ONS_PROXY_LOG_BODY_LIMIT):\n  ${cut?.id}  GET /t/clients?limit=20  (its response body was cut at the body limit: ${whole.length} bytes on the wire)\n`);

    const out = path.join(dir, 'full');
    expect((await runCli(['fixtures', 'save', '--out', out, '--log-dir', fullLogs], { cwd: dir })).code).toBe(0);
    expect(JSON.stringify((await readFixtureFile(out, 'get-t-clients.json')).response.body)).toBe(whole.toString());
  });

  it('offers --capture-full on start', async () => {
    const { stdout } = await runCli(['start', '--help'], { cwd: dir });
    expect(stdout).toMatch(/--capture-full\s+Record whole bodies, whatever ONS_PROXY_LOG_BODY_LIMIT says/);
  });
});
