// `ons-proxy demo --design`: the demo behaves like staging too, seen with curl.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from '../support/cli.js';

const sh = promisify(execFile);
let demo: SpawnedProxy;

beforeAll(async () => {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-design-demo-'));
  const design = ['useCases:', '  - title: Cliënten bekijken', '    endpoints:', '      - operation: ClientAPI.byId', '        reason: one client', 'models:', '  administration.Client: [id, name.family, address.city]', ''].join('\n');
  await writeFile(path.join(cwd, 'technical-design.yaml'), design);
  demo = await spawnProxy(['demo', '--design', 'technical-design.yaml'], { cwd, env: { ONS_PROXY_LOG_DIR: path.join(cwd, 'logs') } });
});
afterAll(async () => {
  await demo?.stop('SIGINT');
});

async function curl(target: string): Promise<{ head: string; body: string }> {
  const { stdout } = await sh('curl', ['-sS', '-i', '-H', 'Accept: application/json', `${demo.url}${target}`]);
  const split = stdout.indexOf('\r\n\r\n');
  return { head: stdout.slice(0, split), body: stdout.slice(split + 4) };
}

describe('ons-proxy demo --design', () => {
  it('answers a listed operation with only the selected fields', async () => {
    const { head, body } = await curl('/v0/administration/clients/1');
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head).toContain('x-ons-proxy-design: filtered');
    expect(JSON.parse(body)).toEqual({ id: 1, name: { family: expect.any(String) as string }, address: { city: expect.any(String) as string } });
  });

  it('blocks an operation no use case lists, and leaves /ping alone', async () => {
    const blocked = await curl('/v0/administration/employees');
    expect(blocked.head).toMatch(/^HTTP\/1\.1 403 /);
    expect(blocked.head).toContain('x-ons-proxy-design: blocked');
    expect(blocked.body).toContain('GET /v0/administration/employees (EmployeeAPI.list) is not in the Technical Design');
    // The console line follows once the record is written.
    const line = 'Blocked by the Technical Design: GET /v0/administration/employees (EmployeeAPI.list)';
    for (let i = 0; i < 100 && !demo.output().includes(line); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(demo.output()).toContain(line);
    expect(demo.output()).toMatch(/Technical Design .*technical-design\.yaml: 1 use case, 1 operation, 1 model selected/);
    const ping = await curl('/ping');
    expect(ping.head).toMatch(/^HTTP\/1\.1 200 /);
  });
});
