// The traffic files hold care data: the proxy never writes them through a symbolic link or
// into anything but a regular file, and a file or folder others could read is tightened
// (or, when it belongs to someone else, refused) with one line saying which.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay, trafficFileName } from '../../src/traffic/index.js';
import { runCli, spawnProxy } from '../support/cli.js';
import { startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';

let upstream: ScriptedUpstream;
let folders = 0;

beforeAll(async () => {
  upstream = await startScriptedUpstream((_request, _body, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"bsn":"999999990"}');
  });
});
afterAll(async () => {
  await upstream.close();
});

async function logFolder(mode = 0o700): Promise<{ dir: string; today: string }> {
  const dir = path.join(upstream.dir, `logs-${folders++}`);
  await mkdir(dir);
  await chmod(dir, mode);
  return { dir, today: path.join(dir, trafficFileName(localDay(new Date()))) };
}

async function startFails(dir: string): Promise<string> {
  const result = await runCli(['start'], { env: upstream.env({ ONS_PROXY_LOG_DIR: dir, ONS_PROXY_PORT: '0' }), cwd: upstream.dir });
  expect(result.code).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines.filter((line) => line.includes('Cannot write traffic records'))).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\bat .*:\d+/);
  return result.stderr;
}

describe('the traffic file', () => {
  it('is never written through a symbolic link planted under its name', async () => {
    const { dir, today } = await logFolder();
    const victim = path.join(upstream.dir, 'victim.txt');
    await writeFile(victim, 'untouched\n');
    await symlink(victim, today);
    expect(await startFails(dir)).toMatch(/is a symbolic link, and the proxy never writes traffic records through one: remove it/);
    expect(await readFile(victim, 'utf8')).toBe('untouched\n');
  });

  it('is never a device or a named pipe', async () => {
    const { dir, today } = await logFolder();
    execFileSync('mkfifo', [today]);
    expect(await startFails(dir)).toMatch(/is not a regular file \(a named pipe\): remove it/);
  });

  it('loses the loose mode it had, with one line saying so, and the folder too', async () => {
    const { dir, today } = await logFolder(0o755);
    await writeFile(today, '');
    await chmod(today, 0o644);
    const proxy = await spawnProxy(['start'], { env: upstream.env({ ONS_PROXY_LOG_DIR: dir }), cwd: upstream.dir });
    try {
      expect((await fetch(`${proxy.url}/v0/clients`)).status).toBe(200);
    } finally {
      expect(await proxy.stop()).toBe(0);
    }
    expect((await stat(today)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const lines = proxy.output().split('\n');
    expect(lines.filter((line) => line.includes(`The traffic file ${today} had mode 0644, readable by others: changed it to 0600.`))).toHaveLength(1);
    expect(lines.filter((line) => line.includes(`The traffic folder ${dir} had mode 0755, readable by others: changed it to 0700.`))).toHaveLength(1);
    expect(await readFile(today, 'utf8')).toContain('/v0/clients');
  });
});
