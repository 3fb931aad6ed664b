// The demo's banner names the API document the demo runs with: its own, the one --openapi
// points at, or none.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProxy } from '../support/cli.js';

const DEMO_DOCUMENT = fileURLToPath(new URL('../../config/demo-openapi.json', import.meta.url));

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-hostile-demo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function banner(args: readonly string[]): Promise<string> {
  const demo = await spawnProxy(['demo', ...args], { cwd: dir, env: { ONS_PROXY_LOG_DIR: path.join(dir, 'logs') } });
  try {
    for (let i = 0; i < 100 && !demo.output().includes('Stop with Ctrl+C'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    return demo.output();
  } finally {
    await demo.stop('SIGINT');
  }
}

describe('the demo banner', () => {
  it('names the document --openapi points at, in the text and in the report commands', async () => {
    const elsewhere = path.join(dir, 'my-api.json');
    await copyFile(DEMO_DOCUMENT, elsewhere);
    const output = await banner(['--openapi', elsewhere]);
    expect(output).toContain(`What the API document (${elsewhere}) adds`);
    expect(output).not.toContain('config/demo-openapi.json');
    expect(output).toMatch(new RegExp(`ons-proxy migrate --log-dir \\S+ --openapi ${elsewhere.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it("names its own document by default, and none with --openapi off", async () => {
    expect(await banner([])).toContain("What the API document (the demo's own, config/demo-openapi.json) adds");
    const off = await banner(['--openapi', 'off']);
    expect(off).toContain('What the API document (none here: --openapi off; with one) adds');
    expect(off).not.toMatch(/ons-proxy migrate .*--openapi/);
  });
});
