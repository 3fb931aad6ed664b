// The inspector with a large day (`--only inspector`): a day file of 100,000 records, the page
// in Chromium, the history search over all of them. It measures the time to the first rows,
// to the last page of the search, and to scroll the windowed list from top to bottom in steps.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { localDay, trafficFileName } from '../src/traffic/files.js';
import type { TrafficRecord } from '../src/traffic/record.js';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import type * as TestTools from '../scripts/test-tools.mjs';
import type { Pki } from './nginx.js';
import { REPO_ROOT } from './paths.js';
import { median, type Table } from './report.js';
import { startProxy } from './targets.js';

export interface InspectorRowOptions {
  readonly pki: Pki;
  readonly upstreamPort: number;
  readonly maxConcurrency: number;
  readonly dir: string;
  readonly reps: number;
  readonly records?: number;
  readonly log: (line: string) => void;
}

const SCROLL_STEPS = 50;

/** The Chromium the browser tests use (scripts/test-tools.mjs finds it), loaded from the repository: the compiled bench has no copy of it. */
async function launchChromium(): Promise<Browser> {
  const tools = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts', 'test-tools.mjs')).href)) as typeof TestTools;
  const found = tools.findChromium(process.env);
  if (found === undefined || 'problem' in found) throw new Error(`the inspector row needs Chromium: ${found?.problem ?? 'none found (npm test names how to install it)'}`);
  return chromium.launch({ executablePath: found.path, args: ['--no-sandbox'] });
}

/** An Ons-shaped record of today, `index` seconds/4 after midnight. */
function record(index: number, midnight: number): TrafficRecord {
  const id = randomUUID();
  const clientId = 1000 + (index % 5000);
  const body = `{"id": ${clientId}, "firstName": "Client", "lastName": "Nummer ${index}", "dateOfBirth": "1950-01-01", "active": true}`;
  return {
    id,
    time: new Date(midnight + index * 250).toISOString(),
    durationMs: 20 + (index % 40),
    method: 'GET',
    url: `/v0/administration/clients/${clientId}`,
    upstreamUrl: `https://api-development.ons.io/v0/administration/clients/${clientId}`,
    status: index % 97 === 0 ? 404 : 200,
    profile: 'default',
    queuedMs: index % 7 === 0 ? 5 : 0,
    operation: { id: 'ClientAPI.byId', path: '/v0/administration/clients/{id}' },
    request: { headers: { accept: 'application/json' }, bodyBytes: 0, bodyTruncated: false, bodyEncoding: 'text', body: '' },
    response: { headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.parse(body) as unknown, bodyBytes: body.length, bodyTruncated: false, bodyEncoding: 'json' },
  };
}

async function writeDay(logDir: string, count: number): Promise<string> {
  await mkdir(logDir, { recursive: true });
  const now = new Date();
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const file = path.join(logDir, trafficFileName(localDay(now)));
  const out = createWriteStream(file);
  for (let index = 0; index < count; index++) {
    if (!out.write(`${JSON.stringify(record(index, midnight))}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return file;
}

export async function runInspectorRow(options: InspectorRowOptions): Promise<Table> {
  const count = options.records ?? 100_000;
  const logDir = path.join(options.dir, 'logs');
  const file = await writeDay(logDir, count);
  const megabytes = (await stat(file)).size / 1024 / 1024;
  options.log(`inspector: ${count} records, ${megabytes.toFixed(0)} MB in ${file}`);
  const proxy = await startProxy({ pki: options.pki, upstreamPort: options.upstreamPort, maxConcurrency: options.maxConcurrency, logDir, logBodies: true, console: 'devnull' });
  const browser = await launchChromium();
  const firstRows: number[] = [];
  const allRows: number[] = [];
  const scrolls: number[] = [];
  try {
    for (let rep = 0; rep < options.reps; rep++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(`http://127.0.0.1:${proxy.port}/__proxy/`);
      await page.locator('#live.on').waitFor();
      const started = Date.now();
      await page.locator('#history-search').click();
      await page.locator('#list tbody tr[data-id]').first().waitFor();
      firstRows.push(Date.now() - started);
      await page.locator('#history-progress', { hasText: /^History: / }).waitFor({ timeout: 600_000 });
      allRows.push(Date.now() - started);
      // Scroll to the bottom in steps, each waiting for its rows to be drawn.
      const scrollStarted = Date.now();
      // In the page (a string: the bench compiles without the DOM's types).
      await page.evaluate(`(async () => {
        const pane = document.querySelector('#list-pane');
        const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        for (let step = 1; step <= ${SCROLL_STEPS}; step++) {
          pane.scrollTop = ((pane.scrollHeight - pane.clientHeight) * step) / ${SCROLL_STEPS};
          await frame();
          await frame();
        }
      })()`);
      scrolls.push(Date.now() - scrollStarted);
      const shown = await page.locator('#count').textContent();
      options.log(`inspector rep ${rep + 1}: first rows ${firstRows.at(-1)} ms, all ${allRows.at(-1)} ms, scroll ${scrolls.at(-1)} ms (${shown})`);
      await page.close();
    }
  } finally {
    await browser.close();
    await proxy.stop();
  }
  return {
    title: `Inspector in Chromium over a day file of ${count.toLocaleString('en-US')} records (${megabytes.toFixed(0)} MB): history search of everything, then the windowed list scrolled top to bottom in ${SCROLL_STEPS} steps (median of ${options.reps})`,
    head: ['records', 'first rows ms', 'search done ms', `scroll ${SCROLL_STEPS} steps ms`],
    rows: [[count.toLocaleString('en-US'), median(firstRows).toFixed(0), median(allRows).toFixed(0), median(scrolls).toFixed(0)]],
  };
}
