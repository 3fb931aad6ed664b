import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from '../support/cli.js';

const sh = promisify(execFile);
let demo: SpawnedProxy;
let logDir: string;

beforeAll(async () => {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-demo-test-'));
  logDir = path.join(cwd, 'logs');
  demo = await spawnProxy(['demo'], { cwd, env: { ONS_PROXY_LOG_DIR: logDir } });
  // The banner follows the listening line; wait until the last example is printed.
  for (let i = 0; i < 100 && !demo.output().includes('Stop with Ctrl+C'); i++) await new Promise((r) => setTimeout(r, 50));
});
afterAll(async () => {
  await demo?.stop('SIGINT');
});

function printedCurlCommands(): string[] {
  return demo.output().split('\n').map((line) => line.trim()).filter((line) => line.startsWith('curl '));
}

describe('ons-proxy demo', () => {
  it('prints curl examples against its own address', () => {
    const commands = printedCurlCommands();
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const command of commands) expect(command).toContain(demo.url);
  });

  it('answers every printed example as printed', async () => {
    const results = new Map<string, string>();
    for (const command of printedCurlCommands()) {
      const { stdout } = await sh('bash', ['-c', `${command} -sS`]);
      results.set(command, stdout);
    }
    const find = (fragment: string): string => [...results].find(([command]) => command.includes(fragment))?.[1] ?? '';
    expect(find('/ping')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\npong$/);
    expect(JSON.parse(find('/v0/administration/clients?limit=3'))).toHaveLength(3);
    const single = [...results].find(([command]) => command.endsWith('/v0/administration/clients/1'))?.[1] ?? '';
    expect(JSON.parse(single)).toMatchObject({ id: 1 });
    expect(find('/v0/administration/clients/999')).toMatch(/^HTTP\/1\.1 404 /);
    expect(find('/v0/finance/')).toMatch(/^HTTP\/1\.1 403 /);
    expect(find('/notes')).toMatch(/^HTTP\/1\.1 201 /);
    // As Ons does since it removed its /t/ paths.
    expect(find('/t/clients/1')).toMatch(/^HTTP\/1\.1 404 /);
  });

  it('names operations, finds a missing parameter and hints at the removed path with no set-up', async () => {
    let records: Array<{ url: string; operation?: { id: string }; hint?: string; findings?: Array<{ where: string }> }> = [];
    for (let i = 0; i < 100 && records.length < printedCurlCommands().length; i++) {
      const files = (await readdir(logDir).catch(() => [])).filter((name) => name.endsWith('.ndjson'));
      const text = (await Promise.all(files.map((name) => readFile(path.join(logDir, name), 'utf8')))).join('');
      records = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as (typeof records)[number]);
      await new Promise((r) => setTimeout(r, 50));
    }
    const byUrl = (fragment: string) => records.find((record) => record.url.includes(fragment));
    expect(byUrl('/v0/administration/clients/1')?.operation?.id).toBe('ClientAPI.byId');
    expect(byUrl('/t/clients/1')?.hint).toContain('use GET /v0/administration/clients/{id}');
    expect(byUrl('in_care_in_period')?.findings).toEqual([expect.objectContaining({ where: 'request.query.from_date' })]);
    expect(demo.output()).toContain('was removed (Ons removed its /t/ paths on 2026-05-19)');
  });

  it('uses a client certificate made at start that the mock accepts', async () => {
    const { stdout } = await sh('curl', ['-sS', `${demo.url}/__mock/echo`]);
    expect(JSON.parse(stdout).clientCertificate.subjectCN).toBe('demo_integration-TE1002-demo');
  });

  it('stops on SIGINT with status 0', async () => {
    expect(await demo.stop('SIGINT')).toBe(0);
  });
});
