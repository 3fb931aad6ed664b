// The inspector's actions in Chromium: resend an exchange as recorded and edited, compared
// with the original and a JSON diff of the bodies; select exchanges and save them as fixtures.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS } from '../../src/demo/index.js';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { launchChromium } from '../support/chromium.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { readIndexFile } from '../replay/helpers.js';

let dir: string;
let upstream: Upstream;
let proxy: RunningInstance;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function through(target: string): Promise<string> {
  const response = await request(`${proxy.url}${target}`, { headers: { accept: 'application/json' } });
  await response.body.dump();
  return String(response.headers['x-request-id']);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-inspector-actions-'));
  upstream = await startUpstream();
  proxy = await startProxy(upstream, { fixturesDir: path.join(dir, 'fixtures') });
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // The refused edit below is a 400 on purpose; Chromium reports every failed fetch on the console.
    if (message.type() === 'error' && !message.text().includes('status of 400')) pageErrors.push(message.text());
  });
  await page.goto(`${proxy.url}/__proxy/`);
  await page.locator('#live.on').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await upstream?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('resend from the inspector', () => {
  it('sends the exchange again through the proxy and shows the same body beside the recorded one', async () => {
    const id = await through('/t/clients/1');
    await page.locator(`#list tbody tr[data-id="${id}"]`).click();
    await page.locator('#resend').click();
    await expect.poll(() => page.locator('#resend-status').textContent()).toMatch(/^Status 200 then, 200 now \(id [0-9a-f-]{36}\)\.$/);
    expect(await page.locator('#body-diff').textContent()).toBe('The bodies are the same.');
    // The resent request is an exchange of its own, recorded and listed.
    const resentId = /id ([0-9a-f-]{36})/.exec((await page.locator('#resend-status').textContent()) ?? '')?.[1];
    await page.locator(`#list tbody tr[data-id="${resentId}"]`).waitFor();
  });

  it('sends an edited request and lists what differs in the bodies', async () => {
    const id = await through('/t/clients/1');
    await page.locator(`#list tbody tr[data-id="${id}"]`).click();
    await page.locator('#edit-resend').click();
    await page.fill('#resend-path', '/t/clients/2');
    await page.locator('#resend-send').click();
    await page.locator('#body-diff li').first().waitFor();
    const lines = await page.locator('#body-diff li').allTextContents();
    expect(lines).toContain('~ $.id: 1 → 2');
    expect(lines).toContain(`~ $.lastName: ${JSON.stringify(CLIENTS[0]?.lastName)} → ${JSON.stringify(CLIENTS[1]?.lastName)}`);
    expect(await page.locator('.compare .side h3').allTextContents()).toEqual(['Recorded: GET /t/clients/1 → 200', 'Now: GET /t/clients/2 → 200']);
  });

  it('says what is wrong with an edit, without sending it', async () => {
    await page.fill('#resend-path', '/__proxy/status');
    await page.locator('#resend-send').click();
    await expect.poll(() => page.locator('#resend-result .note').textContent()).toBe('Path "/__proxy/status" is one of the proxy\'s own pages: only requests to the API can be sent again.');
  });
});

describe('save as fixtures from the inspector', () => {
  it('adds the selected exchanges to the fixture set', async () => {
    const first = await through('/t/clients?limit=2');
    const second = await through('/v0/administration/clients/2');
    await page.locator(`#list tbody tr[data-id="${first}"] input.pick`).check();
    await page.locator(`#list tbody tr[data-id="${second}"] input.pick`).check();
    expect(await page.locator('#save-fixtures').textContent()).toBe('Save 2 as fixtures');
    await page.locator('#save-fixtures').click();
    const folder = path.join(dir, 'fixtures');
    await expect.poll(() => page.locator('#save-result').textContent()).toBe(`Saved 2 fixtures to ${folder}.`);
    expect((await readIndexFile(folder)).map((entry) => [entry.file, entry.source])).toEqual([
      ['get-t-clients.json', first],
      ['get-v0-administration-clients-2.json', second],
    ]);
    expect(await page.locator('#save-fixtures').isDisabled()).toBe(true);
  });

  it('ran without script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

describe('save as fixtures on a staging proxy', () => {
  it('refuses: care data goes to fixtures only through the command line, masked', async () => {
    const staging = await startProxy(upstream, { environment: 'staging', force: true, fixturesDir: path.join(dir, 'staging-fixtures') });
    try {
      const answer = await request(`${staging.url}/t/clients/1`, { headers: { accept: 'application/json' } });
      await answer.body.dump();
      const response = await request(`${staging.url}/__proxy/api/fixtures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [String(answer.headers['x-request-id'])] }) });
      expect(response.statusCode).toBe(403);
      expect(((await response.body.json()) as { error: string }).error).toMatch(/^1 of these exchanges hold staging data, which is real care data/);
      expect(existsSync(path.join(dir, 'staging-fixtures'))).toBe(false);
    } finally {
      await staging.close();
    }
  });
});
