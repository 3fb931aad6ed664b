// A log folder that cannot be used stops the start with one clear line; a disk that fails
// later never stops the proxying, and says so once.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/config/errors.js';
import { CLI } from '../support/cli.js';
import { startProxy, startUpstream, upstreamEnv, type Upstream } from '../support/harness.js';

let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});

describe('the log folder', () => {
  it('refuses to start when the folder cannot be created, naming the setting to change', async () => {
    const blocker = path.join(upstream.dir, 'not-a-folder');
    await writeFile(blocker, 'a file where the log folder should be');
    const attempt = startProxy(upstream, { logDir: path.join(blocker, 'logs') });
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(attempt).rejects.toThrow(/^Cannot write traffic records to .*not-a-folder\/logs: .*ONS_PROXY_LOG_DIR \(--log-dir\)\.$/);
  });

  it('keeps proxying when the disk refuses the records, and reports it once', async () => {
    const logDir = path.join(upstream.dir, 'full-disk');
    // A file-size limit of 1 KB for the proxy's process: every write past it fails with
    // EFBIG (Node ignores SIGXFSZ), as a full disk would fail it with ENOSPC. A symlink to
    // /dev/full no longer serves: the proxy refuses to write records through a symlink.
    const command = `ulimit -f 1 && exec "${process.execPath}" "${CLI}" start`;
    const child = spawn('/bin/sh', ['-c', command], { cwd: upstream.dir, env: { PATH: process.env.PATH ?? '', ONS_PROXY_PORT: '0', ...upstreamEnv(upstream, logDir) } });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      while (!/listening on (http:\/\/\S+)/.test(printed)) await new Promise((resolve) => setTimeout(resolve, 20));
      const url = /listening on (http:\/\/\S+)/.exec(printed)?.[1] ?? '';
      const writeError = async (): Promise<string | undefined> =>
        ((await (await request(`${url}/__proxy/status`)).body.json()) as { traffic: { writeError?: string } }).traffic.writeError;
      for (let i = 0; i < 3; i++) {
        const response = await request(`${url}/__mock/echo?n=${i}`);
        expect(response.statusCode).toBe(200);
        await response.body.dump();
        // The write fails asynchronously: wait for the proxy to notice before the next exchange.
        for (let tries = 0; tries < 200 && (await writeError()) === undefined; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await writeError()).toMatch(/EFBIG/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const complaints = printed.split('\n').filter((line) => line.includes('traffic records are not being written'));
    expect(complaints).toHaveLength(1);
    expect(printed).toContain('GET /__mock/echo?n=2 200');
  });
});
