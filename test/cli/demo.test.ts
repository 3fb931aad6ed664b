import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from '../support/cli.js';

const sh = promisify(execFile);
let demo: SpawnedProxy;

beforeAll(async () => {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-demo-test-'));
  demo = await spawnProxy(['demo'], { cwd, env: { ONS_PROXY_LOG_DIR: path.join(cwd, 'logs') } });
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
    expect(JSON.parse(find('/t/clients?limit=3'))).toHaveLength(3);
    const single = [...results].find(([command]) => command.endsWith('/t/clients/1'))?.[1] ?? '';
    expect(JSON.parse(single)).toMatchObject({ id: 1 });
    expect(find('/t/clients/999')).toMatch(/^HTTP\/1\.1 404 /);
    expect(find('/t/finance/')).toMatch(/^HTTP\/1\.1 403 /);
    expect(find('/notes')).toMatch(/^HTTP\/1\.1 201 /);
  });

  it('uses a client certificate made at start that the mock accepts', async () => {
    // The mock answers /ping with 495 to a request without an accepted certificate.
    const { stdout } = await sh('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${demo.url}/ping`]);
    expect(stdout).toBe('200');
  });

  it('serves only Ons paths: the test suites\' /__mock/ routes are not mounted', async () => {
    const { stdout } = await sh('curl', ['-sS', `${demo.url}/__mock/bytes?n=1000`]);
    expect(JSON.parse(stdout)).toMatchObject({ errorResponseEntries: [{ field: 'path', value: '/__mock/bytes' }] });
  });

  it('stops on SIGINT with status 0', async () => {
    expect(await demo.stop('SIGINT')).toBe(0);
  });
});
