// The inspector at a glance, in Chromium over a real proxy: the timeline of the certificate's
// slots and the waits for them, brushing a time range, badges, the summary, the history
// search beyond the ring, a large body, the keyboard, and the README's screenshot.
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { localDay, trafficFileName, type TrafficRecord } from '../../src/traffic/index.js';
import { launchChromium } from '../support/chromium.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { fixtureRecord } from '../support/records-fixture.js';

const DEMO_DOCUMENT = fileURLToPath(new URL('../../config/demo-openapi.json', import.meta.url));
export const SCREENSHOT = fileURLToPath(new URL('../../docs/inspector.png', import.meta.url));

let upstream: Upstream;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await upstream?.close();
});

async function openInspector(proxy: RunningInstance): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${proxy.url}/__proxy/`);
  await page.locator('#live.on').waitFor();
  return page;
}

async function through(proxy: RunningInstance, target: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}): Promise<string> {
  const response = await request(`${proxy.url}${target}`, { method: init.method ?? 'GET', headers: { accept: 'application/json', ...init.headers }, body: init.body });
  await response.body.dump();
  return String(response.headers['x-request-id']);
}

const rows = (page: Page) => page.locator('#list tbody tr[data-id]');

describe('the timeline', () => {
  let proxy: RunningInstance;
  let page: Page;
  beforeAll(async () => {
    proxy = await startProxy(upstream, { openapi: DEMO_DOCUMENT });
    page = await openInspector(proxy);
  });
  afterAll(async () => {
    await page?.close();
    await proxy?.close();
  });

  it('draws a burst of 12 slow calls on the 4 slots of the certificate, 8 of them after a wait for a slot', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, index) => through(proxy, `/__mock/slow?ms=300&call=${index}`)));
    await expect.poll(() => rows(page).count()).toBe(12);
    const canvas = page.locator('#timeline-canvas');
    await expect.poll(() => canvas.getAttribute('data-slots')).toBe('4');
    expect(await canvas.getAttribute('data-queued')).toBe('8');
    expect(await page.locator('#timeline-legend').textContent()).toMatch(/^12 exchanges; at most 4 at the API at once; 8 waited for a slot \(longest \d/);
    expect(await page.locator('#summary-operations tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^GET \/__mock\/slow\t12\t[\d.]+ m?s\t[\d.]+ m?s$/)]);
  });

  it('shows only the exchanges of a range dragged across it, and all again after a click', async () => {
    const box = await page.locator('#timeline-canvas').boundingBox();
    if (!box) throw new Error('no timeline');
    // All twelve arrived at once; the end of the timeline holds only the last ones to get a slot.
    await page.mouse.move(box.x + box.width * 0.85, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(async () => (await page.locator('#count').textContent()) ?? '').toMatch(/^\d+ of 12 recent in the time range$/);
    // The count may be written a frame before the list is drawn again: wait for the rows themselves.
    await expect.poll(() => rows(page).count()).toBeLessThan(12);
    const shown = await rows(page).count();
    expect(shown).toBeGreaterThan(0);
    expect(await page.locator('#count').textContent()).toBe(`${shown} of 12 recent in the time range`);
    await expect.poll(() => page.locator('#summary-classes').textContent()).toContain(`${shown} exchange`);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => rows(page).count()).toBe(12);
  });

  it('marks a removed path and a finding, with the replacement on hover, and counts them in the summary', async () => {
    const removed = await through(proxy, '/t/clients/1');
    const finding = await through(proxy, '/v0/administration/clients/in_care_in_period?to_date=2026-12-31');
    const removedBadge = page.locator(`#list tbody tr[data-id="${removed}"] .badge-removed`);
    await removedBadge.waitFor();
    expect(await removedBadge.textContent()).toBe('removed');
    expect(await removedBadge.getAttribute('title')).toMatch(/^GET \/t\/clients\/1 .*was removed.*: use GET \/v0\/administration\/clients\/\{id\}/);
    expect(await page.locator(`#list tbody tr[data-id="${finding}"] .badge-findings`).textContent()).toBe('1 finding');
    await expect.poll(() => page.locator('#summary-retired li').allTextContents()).toEqual(['1× removed: GET /t/clients/1 → GET /v0/administration/clients/{id}']);
    expect(await page.locator('#summary-classes').textContent()).toContain('1 finding');
  });

  it('moves through the list with the arrow keys, opens with Enter and goes to the filter with /', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const second = await rows(page).nth(1).getAttribute('data-id');
    await expect.poll(() => page.locator('#detail dl.facts').innerText()).toContain(`Id\n${second}`);
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement?.id')).toBe('filter');
  });

  it('says what it expected next to the box when a filter does not parse', async () => {
    await page.fill('#filter', 'status:4yy');
    await expect.poll(() => page.locator('#filter-error').textContent()).toBe('status: "4yy" is not a status: use a code (404), a class (4xx) or a list (4xx,503).');
    await page.fill('#filter', 'colour:red');
    await expect.poll(() => page.locator('#filter-error').textContent()).toMatch(/^"colour:" is not a filter: use a status \(404, 4xx\), a method \(POST\)/);
    await page.fill('#filter', '');
    await expect.poll(() => page.locator('#filter-error').isHidden()).toBe(true);
  });

  it('leaves the screenshot the README shows', async () => {
    // The demo's examples beside the burst: a list, a 404, the 403 of an endpoint not enabled, a deprecated call.
    for (const target of ['/ping', '/v0/administration/clients?limit=3', '/v0/administration/clients/999', '/v0/finance/invoices', '/v0/administration/clients/find?name=test&valid_form=1']) await through(proxy, target);
    await expect.poll(() => rows(page).count()).toBe(19);
    await page.locator('#list tbody tr', { hasText: '/t/clients/1' }).first().click();
    await page.locator('#detail .json').waitFor();
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(pageErrors).toEqual([]);
  });
});

describe('badges from what the record says', () => {
  it('marks blocked, filtered, mocked, replayed, webhook and aborted exchanges, and repeated refusals', async () => {
    const logDir = path.join(upstream.dir, 'badge-logs');
    await mkdir(logDir, { recursive: true });
    const records: TrafficRecord[] = [
      { ...fixtureRecord({ url: '/v0/a/blocked', status: 403 }), design: { verdict: 'blocked' }, answeredBy: 'proxy' },
      { ...fixtureRecord({ url: '/v0/a/filtered' }), design: { verdict: 'filtered', removedFields: ['bsn', 'dateOfBirth'] } },
      { ...fixtureRecord({ url: '/v0/a/mocked' }), answeredBy: 'mock' },
      { ...fixtureRecord({ url: '/v0/a/replayed' }), answeredBy: 'fixture' },
      { ...fixtureRecord({ url: '/v0/a/old-replay' }), tag: 'replay' },
      { ...fixtureRecord({ url: '/hooks/ons', status: 200, method: 'POST' }), webhook: { direction: 'received', event: 'client.UPDATE', signature: 'valid' } },
      { ...fixtureRecord({ url: '/v0/a/aborted', status: 0 }), aborted: true },
      { ...fixtureRecord({ url: '/v0/a/refused', status: 403 }), repeated: { count: 1999, until: new Date().toISOString(), lastId: 'x' } },
      // As an older version might have written one: the page cannot show it in the usual form.
      { ...fixtureRecord({ url: '/v0/a/odd' }), durationMs: '12 ms' as unknown as number },
    ];
    await appendFile(path.join(logDir, trafficFileName(localDay(new Date()))), records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    const proxy = await startProxy(upstream, { logDir });
    const page = await openInspector(proxy);
    try {
      await expect.poll(() => rows(page).count()).toBe(records.length);
      const badges = async (url: string) => page.locator('#list tbody tr', { hasText: url }).locator('.badge').allTextContents();
      expect(await badges('/v0/a/blocked')).toEqual(['blocked']);
      expect(await badges('/v0/a/filtered')).toEqual(['filtered']);
      expect(await page.locator('#list tbody tr', { hasText: '/v0/a/filtered' }).locator('.badge').getAttribute('title')).toBe('The Technical Design removed 2 fields from the answer');
      expect(await badges('/v0/a/mocked')).toEqual(['mock']);
      expect(await badges('/v0/a/replayed')).toEqual(['replay']);
      expect(await badges('/v0/a/old-replay')).toEqual(['replay']);
      expect(await badges('/hooks/ons')).toEqual(['webhook ↓ client.UPDATE']);
      expect(await badges('/v0/a/aborted')).toEqual(['aborted']);
      expect(await page.locator('#list tbody tr', { hasText: '/v0/a/refused' }).locator('td').nth(2).textContent()).toBe('403 \u00d71,999');
      expect(await page.locator('#summary-marked').textContent()).toBe(
        '1 blocked by the Technical Design · 1 filtered by the Technical Design · 1 answered by the mock · 2 replayed from fixtures · 1 webhook deliveries · 1 aborted by the client',
      );
      const odd = records.at(-1) as TrafficRecord;
      const oddRow = page.locator(`#list tbody tr[data-id="${odd.id}"]`);
      expect(await oddRow.textContent()).toContain('"durationMs":"12 ms"');
      await oddRow.click();
      await expect.poll(() => page.locator('#raw-note').textContent()).toMatch(/^This record cannot be shown in the usual form \(.+\); its raw JSON:$/);
      expect(JSON.parse((await page.locator('#detail pre').textContent()) ?? '')).toEqual(odd);
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
      await proxy.close();
    }
  });
});

describe('beyond the ring', () => {
  it('finds an exchange that left the ring in the day file, and opens it', async () => {
    const proxy = await startProxy(upstream, { inspectorLimit: 3, logDir: path.join(upstream.dir, 'history-logs') });
    const page = await openInspector(proxy);
    try {
      const early = await through(proxy, '/t/clients/2?early=yes');
      for (let index = 0; index < 5; index++) await through(proxy, `/t/clients/1?later=${index}`);
      await expect.poll(() => rows(page).count()).toBe(3);
      expect(await page.locator(`#list tbody tr[data-id="${early}"]`).count()).toBe(0);

      await page.fill('#filter', 'early=yes');
      await page.locator('#history-search').click();
      await expect.poll(() => page.locator('#history-progress').textContent()).toMatch(/^History: 1 exchange found in \d+ KB\.$/);
      await page.locator(`#list tbody tr[data-id="${early}"]`).click();
      await expect.poll(() => page.locator('#detail h2').textContent()).toBe('GET /t/clients/2?early=yes');

      await page.fill('#filter', '2xx');
      await page.locator('#history-search').click();
      await expect.poll(() => page.locator('#history-progress').textContent()).toMatch(/^History: 6 exchanges found/);
      await page.locator('#history-back').click();
      await expect.poll(() => rows(page).count()).toBe(3);
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
      await proxy.close();
    }
  });
});

describe('large and exact bodies', () => {
  it('opens a 5 MB JSON body at once, a page of it at a time, and shows an int64 id as recorded', async () => {
    const proxy = await startProxy(upstream, { logBodyLimit: 8 * 1024 * 1024 });
    const page = await openInspector(proxy);
    try {
      // Ids above 2^53 as text: a parse would round them.
      const items = Array.from({ length: 40_000 }, (_, index) => `{"id": 90071992547${String(index).padStart(5, '0')}, "name": "client ${index}", "score": 1.0}`);
      const body = `{"total": 9007199254740993, "items": [${items.join(', ')}]}`;
      const padded = body.replace('"items"', `"note": "${'x'.repeat(5 * 1024 * 1024 - body.length - 12)}", "items"`);
      expect(padded.length).toBeGreaterThanOrEqual(5 * 1024 * 1024 - 16);
      const id = await through(proxy, '/__mock/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: padded });
      await page.locator(`#list tbody tr[data-id="${id}"]`).click();
      const requestBody = page.locator('#detail .json').first();
      await requestBody.waitFor();
      expect(await requestBody.locator('.entry').first().innerText()).toBe('"total": 9007199254740993');
      // The large parts stay closed until opened, and then show a page of their entries.
      const itemsNode = requestBody.locator('details').filter({ has: page.locator(':scope > summary', { hasText: '"items"' }) });
      expect(await itemsNode.getAttribute('open')).toBeNull();
      await itemsNode.locator('summary').first().click();
      await expect.poll(() => itemsNode.locator('button.more').first().textContent()).toBe('show the next 200 (200 shown)');
      expect(await itemsNode.locator('.entry').first().innerText()).toBe('"id": 9007199254700000');
      // The page still answers: a script runs at once.
      expect(await page.evaluate(() => 1 + 1)).toBe(2);
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
      await proxy.close();
    }
  });
});
