// Retention: whole day files past ONS_PROXY_LOG_RETENTION_DAYS or ONS_PROXY_LOG_MAX_BYTES go,
// at start (said on the console) and with `ons-proxy logs --prune`; a link named like a day
// file, its target, a folder so named and foreign files stay, whatever their age.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { localDay, trafficFileName } from '../../src/traffic/index.js';
import { startProxyProcess, startScriptedUpstream, type ScriptedUpstream } from '../hardening/scripted-upstream.js';
import { runCli } from '../support/cli.js';

const daysAgo = (days: number): string => {
  const now = new Date();
  return trafficFileName(localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - days)));
};

let dir: string;
let logDir: string;
let outside: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-retention-'));
  outside = path.join(dir, 'outside.ndjson');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Today, 3, 10 and 40 days ago (1 KiB each), a link and a folder named like old day files, and foreign files. */
beforeEach(async () => {
  logDir = path.join(dir, `logs-${Math.random().toString(36).slice(2)}`);
  await mkdir(logDir, { recursive: true });
  for (const days of [0, 3, 10, 40]) await writeFile(path.join(logDir, daysAgo(days)), `${'x'.repeat(1023)}\n`);
  await writeFile(outside, 'not ours\n');
  await symlink(outside, path.join(logDir, daysAgo(50)));
  await mkdir(path.join(logDir, daysAgo(60)));
  await writeFile(path.join(logDir, 'notes.txt'), 'mine');
  await writeFile(path.join(logDir, `${daysAgo(90)}.bak`), 'a copy');
});

async function left(): Promise<string[]> {
  return (await readdir(logDir)).sort();
}

describe('retention', () => {
  it('logs --prune removes the day files older than the retention days, and nothing else', async () => {
    const { code, stdout } = await runCli(['logs', '--prune', '--log-dir', logDir, '--log-retention-days', '7', '--log-max-bytes', '0'], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toContain(`Removed 2 traffic files (2.0 KiB) from ${logDir}: ${daysAgo(40)}, ${daysAgo(10)} (older than 7 days, ONS_PROXY_LOG_RETENTION_DAYS).`);
    expect(await left()).toEqual([daysAgo(0), daysAgo(3), daysAgo(50), daysAgo(60), `${daysAgo(90)}.bak`, 'notes.txt'].sort());
    expect(existsSync(outside)).toBe(true);
  });

  it('logs --prune keeps the folder under the byte cap, oldest first, never today', async () => {
    const { stdout } = await runCli(['logs', '--prune', '--log-dir', logDir, '--log-retention-days', '0', '--log-max-bytes', '1500'], { cwd: dir });
    expect(stdout).toContain(`${daysAgo(40)}, ${daysAgo(10)}, ${daysAgo(3)} (the folder was over 1.5 KiB, ONS_PROXY_LOG_MAX_BYTES)`);
    expect(await left()).toContain(daysAgo(0));
    const tiny = await runCli(['logs', '--prune', '--log-dir', logDir, '--log-retention-days', '0', '--log-max-bytes', '10'], { cwd: dir });
    expect(tiny.stdout).toContain('Nothing to remove');
    expect(await left()).toContain(daysAgo(0));
  });

  it('the proxy prunes at start and says what it removed', async () => {
    const upstream: ScriptedUpstream = await startScriptedUpstream((_request, _body, response) => response.end('{}'));
    try {
      const proxy = await startProxyProcess(upstream, { ONS_PROXY_LOG_DIR: logDir, ONS_PROXY_LOG_RETENTION_DAYS: '5' });
      try {
        for (let attempt = 0; attempt < 100 && !proxy.output().includes('Removed 2 traffic files'); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(proxy.output()).toContain(`${daysAgo(40)}, ${daysAgo(10)} (older than 5 days, ONS_PROXY_LOG_RETENTION_DAYS)`);
      } finally {
        await proxy.stop();
      }
      expect(await left()).toEqual([daysAgo(0), daysAgo(3), daysAgo(50), daysAgo(60), `${daysAgo(90)}.bak`, 'notes.txt'].sort());
    } finally {
      await upstream.close();
    }
  });

  it('defaults: a week on staging and production, a month on development', () => {
    const limits = (environment: string): [number | undefined, number | undefined] => {
      const [config] = loadConfig({ flags: {}, env: { ONS_PROXY_ENVIRONMENT: environment }, cwd: dir });
      return [config?.logRetentionDays, config?.logMaxBytes];
    };
    expect(limits('development')).toEqual([30, 10 * 1024 ** 3]);
    expect(limits('staging')).toEqual([7, 2 * 1024 ** 3]);
    expect(limits('production')).toEqual([7, 2 * 1024 ** 3]);
  });
});
