// Exports survive bad records: a record whose Host or target makes no URL is adapted with
// a comment, one that cannot be expressed in HAR at all is left out and counted, and both
// `GET /__proxy/har` and `ons-proxy har` complete. Copy as curl sends the recorded bytes
// literally (a body beginning with @ is no file name to curl).
import { execFile } from 'node:child_process';
import { appendFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { validateHar } from '../support/har-schema.js';
import { rawRequest } from '../support/raw-http.js';
import { runCli, type SpawnedProxy } from '../support/cli.js';
import { recordsOf, startProxyProcess, startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';

const run = promisify(execFile);

type Har = { log: { entries: Array<{ request: { url: string; comment?: string }; _id: string }>; comment?: string } };

let upstream: ScriptedUpstream;
let proxy: SpawnedProxy;
const received: Buffer[] = [];
const ids: Record<string, string> = {};

beforeAll(async () => {
  upstream = await startScriptedUpstream((request, body, response) => {
    if (request.method === 'POST') received.push(body);
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  proxy = await startProxyProcess(upstream);
  ids.badHost = (await rawRequest(proxy.url, 'GET /v0/clients HTTP/1.1\r\nHost: bad host\r\n\r\n')).headers['x-request-id'] ?? '';
  ids.tunnel = (await rawRequest(proxy.url, 'CONNECT api.example.org:443 HTTP/1.1\r\nHost: api.example.org:443\r\n\r\n')).headers['x-request-id'] ?? '';
  ids.garbage = (await rawRequest(proxy.url, 'GARBAGE\r\n\r\n')).headers['x-request-id'] ?? '';
  await recordsOf(upstream, 3);
});
afterAll(async () => {
  await proxy.stop();
  await upstream.close();
});

describe('exports of unusual records', () => {
  it('GET /__proxy/har answers valid HAR with every record, adapted with a comment where it makes no URL', async () => {
    const response = await fetch(`${proxy.url}/__proxy/har`);
    expect(response.status).toBe(200);
    const har = (await response.json()) as Har;
    validateHar(har);
    const badHost = har.log.entries.find((entry) => entry._id === ids.badHost);
    expect(badHost?.request).toMatchObject({ url: 'http://localhost/v0/clients', comment: expect.stringContaining('Host "bad host"') });
    expect(har.log.entries.find((entry) => entry._id === ids.tunnel)?.request.url).toBe('http://localhost/api.example.org%3A443');
    expect(har.log.entries.find((entry) => entry._id === ids.garbage)?.request.url).toBe('http://localhost/');
  });

  it('ons-proxy har completes, leaving out a line that is no record and saying which', async () => {
    const logDir = path.join(upstream.dir, 'logs');
    const [file] = (await readdir(logDir)).filter((name) => name.endsWith('.ndjson'));
    // Written by another tool or edited by hand: headers that are no object.
    await appendFile(path.join(logDir, file ?? ''), `${JSON.stringify({ id: 'hand-made', time: new Date().toISOString(), durationMs: 1, method: 'GET', url: '/x', status: 200, profile: 'default', queuedMs: 0, request: { headers: null }, response: {} })}\n`);
    const result = await runCli(['har', '--log-dir', logDir], { cwd: upstream.dir });
    expect(result.code).toBe(0);
    // The reader skips it as not a record (headers must be an object), as every reader does.
    expect(result.stderr).toMatch(new RegExp(`^1 line skipped: not a record \\(${(file ?? '').replace('.', '\\.')} line \\d+\\)\\.\n$`));
    const har = JSON.parse(result.stdout) as Har;
    validateHar(har);
    expect(har.log.entries.map((entry) => entry._id)).toEqual(expect.arrayContaining([ids.badHost, ids.tunnel, ids.garbage]));
  });
});

describe('copy as curl, in Chromium', () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it('sends a body that begins with @ as those bytes, not as a file for curl to read', async () => {
    const body = '@/etc/hostname';
    const posted = await fetch(`${proxy.url}/v0/notes`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    const id = posted.headers.get('x-request-id') ?? '';
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: proxy.url });
    await page.goto(`${proxy.url}/__proxy/`);
    await page.locator(`#list tbody tr[data-id="${id}"]`).click();
    await page.locator('#copy-curl').click();
    await expect.poll(() => page.locator('#copy-curl').textContent()).toBe('Copied');
    const command = String(await page.evaluate('navigator.clipboard.readText()'));
    expect(command).toContain(`'${body}'`);
    received.length = 0;
    await run('/bin/sh', ['-c', command]);
    expect(received.map((bytes) => bytes.toString())).toEqual([body]);
  });
});
