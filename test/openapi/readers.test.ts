// The readers of the records after a session with an API document: `logs --operation` and
// the HAR export's comment, through the built command line.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startUpstream, type Upstream } from '../support/harness.js';
import { exchange, ONS_SHAPE_FIXTURE, proxyWithDocument } from './helpers.js';

let upstream: Upstream;
let logDir: string;
let cwd: string;

beforeAll(async () => {
  upstream = await startUpstream();
  cwd = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-readers-'));
  logDir = path.join(cwd, 'logs');
  const { proxy } = await proxyWithDocument(upstream, { openapi: ONS_SHAPE_FIXTURE, logDir });
  await exchange(proxy, '/v0/administration/clients/3');
  await exchange(proxy, '/v0/administration/clients/in_care_in_period?to_date=2026-12-31');
  await exchange(proxy, '/v0/administration/employees/101');
  // Closing writes the traffic file.
  await proxy.close();
});
afterAll(async () => {
  await upstream?.close();
});

describe('records of a session with an API document', () => {
  it('logs --operation takes an operation id or text in the operation', async () => {
    const byId = await runCli(['logs', '--operation', 'clientapi.byid', '--json', '--log-dir', logDir], { cwd });
    expect(byId.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { url: string }).url)).toEqual(['/v0/administration/clients/3']);
    const byText = await runCli(['logs', '--operation', 'in care', '--json', '--log-dir', logDir], { cwd });
    expect(byText.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { url: string }).url)).toEqual(['/v0/administration/clients/in_care_in_period?to_date=2026-12-31']);
  });

  it('the HAR export names the operation and the findings in each entry comment', async () => {
    const har = await runCli(['har', '--operation', 'ClientAPI', '--log-dir', logDir], { cwd });
    const entries = (JSON.parse(har.stdout) as { log: { entries: Array<{ comment?: string }> } }).log.entries;
    expect(entries.map((entry) => entry.comment)).toEqual([
      expect.stringMatching(/^ClientAPI\.byId: Find a client by their primary key \(GET \/v0\/administration\/clients\/\{id\}\) \| 2 findings: response\.body\.active must be string; /),
      'ClientAPI.inCareInPeriod: Clients in care in a period (GET /v0/administration/clients/in_care_in_period) | 1 finding: request.query.from_date required query parameter is missing (string, date)',
    ]);
  });
});
