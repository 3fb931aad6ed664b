// The inspector in a real browser: Chromium (the one scripts/test-setup.mjs found), headless,
// driven by playwright-core.
// A request through the proxy appears in the open page, opens, and shows its body.
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { CLIENTS } from '../../src/demo/index.js';
import { launchChromium } from '../support/chromium.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';

let upstream: Upstream;
let proxy: RunningInstance;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await startProxy(upstream);
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(`${proxy.url}/__proxy/`);
  await page.locator('#live.on').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await upstream?.close();
});

describe('the inspector in Chromium', () => {
  it('shows a new exchange live, opens it, and shows the response body', async () => {
    const response = await request(`${proxy.url}/t/clients/1`, { headers: { accept: 'application/json' } });
    const id = String(response.headers['x-request-id']);
    await response.body.dump();

    const row = page.locator(`#list tbody tr[data-id="${id}"]`);
    await row.waitFor();
    expect(await row.locator('td').nth(2).textContent()).toBe('200');
    await row.click();

    const detail = page.locator('#detail');
    await detail.locator('.json').waitFor();
    expect(await detail.locator('h2').textContent()).toBe('GET /t/clients/1');
    const body = await detail.locator('.json').innerText();
    expect(body).toContain(`"lastName": "${CLIENTS[0]?.lastName}"`);
    expect(await detail.innerText()).toContain(`x-request-id\t${id}`);
  });

  it('filters the list by status and path', async () => {
    for (const target of ['/t/clients/999', '/t/employees']) await (await request(`${proxy.url}${target}`, { headers: { accept: 'application/json' } })).body.dump();
    await page.locator('#list tbody tr', { hasText: '/t/employees' }).waitFor();
    await page.fill('#filter', '404');
    await expect.poll(() => page.locator('#list tbody tr[data-id]').allInnerTexts()).toEqual([expect.stringContaining('/t/clients/999')]);
    await page.fill('#filter', 'employees');
    await expect.poll(() => page.locator('#list tbody tr[data-id]').allInnerTexts()).toEqual([expect.stringContaining('/t/employees')]);
    await page.fill('#filter', '');
  });

  it('copies a curl command that repeats the request through the proxy', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: proxy.url });
    await page.locator('#list tbody tr', { hasText: '/t/clients/1' }).first().click();
    await page.locator('#copy-curl').click();
    await expect.poll(() => page.locator('#copy-curl').textContent()).toBe('Copied');
    const command = await page.evaluate('navigator.clipboard.readText()');
    expect(command).toBe(`curl -sS -i '${proxy.url}/t/clients/1' -H 'accept: application/json'`);
  });

  it('ran without script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

describe('the inspector behind an access token, in Chromium', () => {
  it('opens with ?token= once, then shows exchanges live on the cookie alone', async () => {
    const token = 'browser-Token_1';
    const guarded = await startProxy(upstream, { accessToken: token });
    const tokenPage = await browser.newPage();
    try {
      await tokenPage.goto(`${guarded.url}/__proxy/?token=${token}`);
      expect(tokenPage.url()).toBe(`${guarded.url}/__proxy/`);
      await tokenPage.locator('#live.on').waitFor();
      const response = await request(`${guarded.url}/t/clients/1`, { headers: { accept: 'application/json', 'x-proxy-token': token } });
      const id = String(response.headers['x-request-id']);
      await response.body.dump();
      await tokenPage.locator(`#list tbody tr[data-id="${id}"]`).click();
      await tokenPage.locator('#detail .json').waitFor();
    } finally {
      await tokenPage.close();
      await guarded.close();
    }
  });
});

describe('the inspector with an API document, in Chromium', () => {
  it('shows the operation beside the path, and the findings in a panel', async () => {
    const documented = await startProxy(upstream, { openapi: fileURLToPath(new URL('../fixtures/openapi/ons-shape.json', import.meta.url)) });
    const documentPage = await browser.newPage();
    documentPage.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await documentPage.goto(`${documented.url}/__proxy/`);
      await documentPage.locator('#live.on').waitFor();
      const response = await request(`${documented.url}/v0/administration/clients/in_care_in_period?to_date=2026-12-31`, { headers: { accept: 'application/json' } });
      const id = String(response.headers['x-request-id']);
      await response.body.dump();

      const row = documentPage.locator(`#list tbody tr[data-id="${id}"]`);
      await row.waitFor();
      expect(await row.locator('td.url').innerText()).toBe('1 finding /v0/administration/clients/in_care_in_period?to_date=2026-12-31 ClientAPI.inCareInPeriod');
      await row.click();
      const detail = documentPage.locator('#detail');
      await detail.locator('table.findings').waitFor();
      expect(await detail.innerText()).toContain('Operation\nClientAPI.inCareInPeriod: Clients in care in a period /v0/administration/clients/in_care_in_period');
      expect(await detail.locator('table.findings tr').allInnerTexts()).toEqual(['request.query.from_date\trequired query parameter is missing (string, date)']);

      await documentPage.fill('#filter', 'operation:inCareInPeriod');
      await expect.poll(() => documentPage.locator('#list tbody tr[data-id]').count()).toBe(1);
      expect(pageErrors).toEqual([]);
    } finally {
      await documentPage.close();
      await documented.close();
    }
  });
});
