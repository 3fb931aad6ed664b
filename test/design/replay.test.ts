// `ons-proxy replay --design`: answers from fixtures meet the same filter and the same block.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from '../support/cli.js';
import { startProxy, type Upstream } from '../support/harness.js';
import { OPENAPI_FIXTURE, startOnsShapedUpstream, type OnsShapedUpstream } from './ons-shaped-upstream.js';

let upstream: OnsShapedUpstream;
let replay: SpawnedProxy;

beforeAll(async () => {
  upstream = await startOnsShapedUpstream();
  const logDir = path.join(upstream.dir, 'logs');
  const proxy = await startProxy(upstream as Upstream, { openapi: OPENAPI_FIXTURE, logDir });
  for (const target of ['/v0/administration/clients?bytes=1200', '/v0/administration/employees']) await (await fetch(`${proxy.url}${target}`, { headers: { accept: 'application/json' } })).arrayBuffer();
  await proxy.close();
  const design = path.join(upstream.dir, 'technical-design.json');
  await writeFile(design, JSON.stringify({ useCases: [{ title: 'Sync', endpoints: [{ operation: 'ClientAPI.list' }] }], models: { 'administration.Client': ['id', 'lastName'] } }));
  replay = await spawnProxy(['replay', logDir, '--design', design, '--openapi', OPENAPI_FIXTURE], { cwd: upstream.dir, env: { ONS_PROXY_LOG_DIR: path.join(upstream.dir, 'replay-logs') } });
});

afterAll(async () => {
  await replay?.stop('SIGINT');
  await upstream?.close();
});

describe('ons-proxy replay --design', () => {
  it('filters a replayed answer and blocks a recorded call the design does not list', async () => {
    const list = await fetch(`${replay.url}/v0/administration/clients?bytes=1200`, { headers: { accept: 'application/json' } });
    expect(list.status).toBe(200);
    expect(list.headers.get('x-ons-proxy-design')).toBe('filtered');
    for (const client of (await list.json()) as object[]) expect(Object.keys(client).sort()).toEqual(['id', 'lastName']);
    const employees = await fetch(`${replay.url}/v0/administration/employees`, { headers: { accept: 'application/json' } });
    expect(employees.status).toBe(403);
    expect(employees.headers.get('x-ons-proxy-design')).toBe('blocked');
  });
});
