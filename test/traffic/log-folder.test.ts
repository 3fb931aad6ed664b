// A log folder that cannot be used stops the start with one clear line; a disk that fails
// later never stops the proxying, and says so once.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/config/errors.js';
import { startInstance } from '../../src/instance/start-instance.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import { localDay, trafficFileName } from '../../src/traffic/index.js';
import { configFor, startProxy, startUpstream, type Upstream } from '../support/harness.js';

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
    await mkdir(logDir);
    // /dev/full accepts the open and fails every write with ENOSPC: a full disk, for real.
    await symlink('/dev/full', path.join(logDir, trafficFileName(localDay(new Date()))));
    const consoleOutput = new PassThrough();
    let printed = '';
    consoleOutput.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const proxy = await startInstance(configFor(upstream, { logDir }), { logger: createConsoleLogger('info', consoleOutput) });
    try {
      const writeError = async (): Promise<string | undefined> =>
        ((await (await request(`${proxy.url}/__proxy/status`)).body.json()) as { traffic: { writeError?: string } }).traffic.writeError;
      for (let i = 0; i < 3; i++) {
        const response = await request(`${proxy.url}/__mock/echo?n=${i}`);
        expect(response.statusCode).toBe(200);
        await response.body.dump();
        // The write fails asynchronously: wait for the proxy to notice before the next exchange.
        for (let tries = 0; tries < 200 && (await writeError()) === undefined; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await writeError()).toMatch(/ENOSPC/);
    } finally {
      await proxy.close();
    }
    const complaints = printed.split('\n').filter((line) => line.includes('traffic records are not being written'));
    expect(complaints).toHaveLength(1);
    expect(printed).toContain('GET /__mock/echo?n=2 200');
  });
});
