import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, spawnProxy, type SpawnedProxy } from '../support/cli.js';

const sh = promisify(execFile);
let demo: SpawnedProxy;
let logDir: string;

beforeAll(async () => {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-demo-test-'));
  // Somewhere else than the current folder: the banner must name it, not "this folder".
  logDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-demo-logs-')), 'records');
  demo = await spawnProxy(['demo'], { cwd, env: { ONS_PROXY_LOG_DIR: logDir } });
  // The banner follows the listening line; wait until the last example is printed.
  for (let i = 0; i < 100 && !demo.output().includes('Stop with Ctrl+C'); i++) await new Promise((r) => setTimeout(r, 50));
});
afterAll(async () => {
  await demo?.stop('SIGINT');
});

function printedLines(prefix: string): string[] {
  return demo.output().split('\n').map((line) => line.trim()).filter((line) => line.startsWith(prefix));
}
const printedCurlCommands = (): string[] => printedLines('curl ');

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
    // The HTTP_PROXY form names the real host; the demo answers it from its mock, never the internet.
    expect(find('-x ')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\npong$/);
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

  it('answers for the development API only: other hosts named through it are refused', async () => {
    const { stdout } = await sh('curl', ['-sS', '-x', demo.url, 'http://example.org/ping']);
    expect(JSON.parse(stdout)).toMatchObject({ status: 403, code: 'target_host_not_allowed' });
  });

  it('quotes every printed URL with a query, so zsh does not glob it', () => {
    const withQuery = printedCurlCommands().filter((command) => command.includes('?'));
    expect(withQuery.length).toBeGreaterThan(0);
    for (const command of withQuery) expect(command).toMatch(/ '[^' ]*\?[^' ]*'/);
  });

  it('names the log folder in use, and commands that read it from any folder', async () => {
    expect(printedLines('Records:')).toEqual([`Records: ${logDir}`]);
    const [logsCommand] = printedLines('ons-proxy logs ');
    expect(logsCommand).toBe(`ons-proxy logs --log-dir ${logDir}`);
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-demo-elsewhere-'));
    const args = (logsCommand ?? '').split(' ').slice(1);
    const { stdout } = await sh(process.execPath, [CLI, ...args, '--json'], { cwd: elsewhere });
    const records = stdout.trim().split('\n').map((line) => JSON.parse(line) as { url: string; status: number; upstreamUrl?: string });
    // Both /ping examples (origin form and the HTTP_PROXY form) went to the local mock.
    const pings = records.filter((record) => record.url === '/ping' && record.status === 200);
    expect(pings.map((record) => new URL(record.upstreamUrl ?? 'http://missing').hostname)).toEqual(['localhost', 'localhost']);
    const [harCommand] = printedLines('ons-proxy har ');
    expect(harCommand).toContain(`--out ${path.join(os.tmpdir(), 'ons-proxy-demo.har')}`);
  });

  it('prints report commands that draft the Technical Design by use case and list what to move off /t/', async () => {
    const run = async (prefix: string): Promise<string> => {
      const [printed] = printedLines(prefix);
      const args = (printed ?? '').replace(/\s+#.*$/, '').split(' ').slice(1);
      const { stdout } = await sh(process.execPath, [CLI, ...args], { cwd: os.tmpdir() });
      return stdout;
    };
    const draft = await run('ons-proxy endpoints ');
    expect(draft).toMatch(/^# Technical Design \(draft\)\n/);
    expect(draft).toContain('\n## Dossier lezen\n');
    expect(draft).toContain('\n### GET /v0/administration/clients/{id}\n');
    const checklist = await run('ons-proxy migrate ');
    expect(checklist).toMatch(/^- \[ \] GET \/t\/clients\/\{id\} \(ClientAPI\.byId\): 1 call, /m);
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
