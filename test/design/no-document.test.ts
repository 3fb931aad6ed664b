// The whole loop against a foreign API with no API document: record, draft, edit by hand (a
// field and an endpoint dropped), enforce with `start --design`, repeat the calls with curl,
// and check. What a developer of another mTLS API, or one without Ons's document, goes through.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TechnicalDesign } from '../../src/design/index.js';
import { runCli, spawnProxy } from '../support/cli.js';
import { startProxy, upstreamEnv, type Upstream } from '../support/harness.js';
import { startOnsShapedUpstream, type OnsShapedUpstream } from './ons-shaped-upstream.js';

const sh = promisify(execFile);
let upstream: OnsShapedUpstream;
let logDir: string;
let designPath: string;

beforeAll(async () => {
  upstream = await startOnsShapedUpstream();
  logDir = path.join(upstream.dir, 'logs');
  designPath = path.join(upstream.dir, 'technical-design.json');
  const proxy = await startProxy(upstream as Upstream, { openapi: 'off', logDir });
  for (const target of ['/v0/administration/clients?bytes=1500', '/v0/administration/clients/7', '/v0/administration/clients/export']) {
    await (await fetch(`${proxy.url}${target}`, { headers: { accept: target.endsWith('export') ? 'application/x-ndjson' : 'application/json', 'x-ons-usecase': 'Synchroniseer clienten' } })).arrayBuffer();
  }
  await proxy.close();
});

afterAll(async () => {
  await upstream?.close();
});

describe('a design drafted and enforced without an API document', () => {
  it('drafts, is edited by hand, and is enforced by start --design as curl sees it', async () => {
    const drafted = await runCli(['design', 'draft', '--log-dir', logDir, '--openapi', 'off', '--out', designPath], { cwd: upstream.dir });
    expect(drafted.stderr).toBe('');
    expect(drafted.code).toBe(0);
    const design = JSON.parse(await readFile(designPath, 'utf8')) as TechnicalDesign;
    const [useCase] = design.useCases;
    expect(useCase?.endpoints.map((endpoint) => [endpoint.operation, endpoint.model])).toEqual([
      ['GET /v0/administration/clients', 'answer of GET /v0/administration/clients'],
      ['GET /v0/administration/clients/{id}', 'answer of GET /v0/administration/clients/{id}'],
      ['GET /v0/administration/clients/export', 'answer of GET /v0/administration/clients/export'],
    ]);
    expect(design.models?.['answer of GET /v0/administration/clients']).toContain('bsn');

    // By hand: the export goes, and bsn is not needed anywhere.
    if (useCase) useCase.endpoints = useCase.endpoints.filter((endpoint) => !endpoint.operation.endsWith('/export'));
    for (const [model, fields] of Object.entries(design.models ?? {})) (design.models ?? {})[model] = fields.filter((field) => field !== 'bsn');
    await writeFile(designPath, JSON.stringify(design, null, 2));

    const proxy = await spawnProxy(['start', '--design', designPath, '--openapi', 'off'], { cwd: upstream.dir, env: upstreamEnv(upstream as Upstream, path.join(upstream.dir, 'enforced-logs')) });
    try {
      const { stdout: list } = await sh('curl', ['-sS', '-H', 'Accept: application/json', `${proxy.url}/v0/administration/clients?bytes=1500`]);
      const clients = JSON.parse(list) as Array<Record<string, unknown>>;
      expect(clients[0]).toHaveProperty('address.city');
      for (const client of clients) expect(client).not.toHaveProperty('bsn');
      const { stdout: exported } = await sh('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${proxy.url}/v0/administration/clients/export`]);
      expect(exported).toBe('403');
    } finally {
      await proxy.stop('SIGINT');
    }

    const checked = await runCli(['design', 'check', designPath, '--log-dir', logDir, '--openapi', 'off'], { cwd: upstream.dir });
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain('GET /v0/administration/clients/export: 1 call, use case "Synchroniseer clienten"');
    expect(checked.stdout).toContain('answer of GET /v0/administration/clients: bsn');
  });
});
