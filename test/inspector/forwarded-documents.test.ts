// Forwarded content never runs on the inspector's origin. In Chromium: an upstream's HTML,
// SVG or untyped answer with a script that tries to read /__proxy/api/... runs no script,
// and a page of another site cannot open a forwarded path at all. Clients that are not
// browsers get the upstream's answer byte for byte.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { launchChromium } from '../support/chromium.js';
import { startDocumentUpstream, type DocumentUpstream } from '../support/document-upstream.js';
import { startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { problemOf } from '../support/raw-http.js';

let upstream: Upstream;
let documents: DocumentUpstream;
let proxy: RunningInstance;
let browser: Browser;
let foreignSite: http.Server;
let foreignUrl: string;

beforeAll(async () => {
  upstream = await startUpstream();
  documents = await startDocumentUpstream(upstream.pki);
  proxy = await startProxy(upstream, { upstream: documents.url });
  // Another site: "localhost" is not the same site as the proxy's "127.0.0.1".
  foreignSite = http.createServer((req, res) => {
    const target = `${proxy.url}${new URL(req.url ?? '/', 'http://x').searchParams.get('open') ?? '/'}`;
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><a id="open" href="${target}">open</a>`);
  });
  foreignSite.listen(0, '127.0.0.1');
  await once(foreignSite, 'listening');
  foreignUrl = `http://localhost:${(foreignSite.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  foreignSite?.close();
  await proxy?.close();
  await documents?.close();
  await upstream?.close();
});

describe('a forwarded document opened in Chromium', () => {
  for (const path of ['/docs/page.html', '/docs/image.svg', '/docs/untyped']) {
    it(`runs none of its script, so it cannot read the inspector's API (${path})`, async () => {
      const page = await browser.newPage();
      try {
        const response = await page.goto(`${proxy.url}${path}`);
        expect(response?.status()).toBe(200);
        expect(response?.headers()['content-security-policy']).toBe('sandbox');
        // The inspector's API answers this browser: only the sandbox stands between the script and it.
        expect((await page.request.get(`${proxy.url}/__proxy/api/exchanges`)).status()).toBe(200);
        await page.waitForLoadState('load');
        const title = await page.title();
        expect(title).not.toMatch(/^read /);
        expect(title).not.toBe('script ran');
      } finally {
        await page.close();
      }
    });
  }

  it('leaves a JSON answer readable as it was', async () => {
    const page = await browser.newPage();
    try {
      const response = await page.goto(`${proxy.url}/docs/data.json`);
      expect(response?.headers()['content-security-policy']).toBeUndefined();
      expect(await page.locator('body').innerText()).toContain('"lastName":"Jansen"');
    } finally {
      await page.close();
    }
  });
});

describe('a forwarded path opened by a page of another site', () => {
  it('is refused before it reaches the upstream, while the inspector still opens from there', async () => {
    const page = await browser.newPage();
    try {
      const before = documents.arrivals.length;
      await page.goto(`${foreignUrl}/?open=/docs/data.json`);
      const [refused] = await Promise.all([page.waitForNavigation(), page.click('#open')]);
      expect(refused?.status()).toBe(403);
      expect(problemOf({ headers: refused?.headers() ?? {}, body: (await refused?.text()) ?? '' }).code).toBe('cross_origin_navigation');
      expect(documents.arrivals.length).toBe(before);

      await page.goto(`${foreignUrl}/?open=/__proxy/`);
      const [inspector] = await Promise.all([page.waitForNavigation(), page.click('#open')]);
      expect(inspector?.status()).toBe(200);
    } finally {
      await page.close();
    }
  });
});

describe('a forwarded document fetched by a client that is not a browser', () => {
  it('arrives with exactly the upstream\'s headers and bytes', async () => {
    const response = await request(`${proxy.url}/docs/page.html`);
    expect(response.headers['content-security-policy']).toBeUndefined();
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(await response.body.text()).toContain('<script>');
  });
});
