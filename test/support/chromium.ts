// The Chromium the browser suites drive: the one scripts/test-setup.mjs finds (ONS_PROXY_CHROMIUM,
// PATH, a Playwright download), or one clear line naming what to install.
import { chromium, type Browser } from 'playwright-core';
import { findChromium, installLine, TEST_TOOLS } from '../../scripts/test-tools.mjs';

export async function launchChromium(): Promise<Browser> {
  const found = findChromium(process.env);
  if (found === undefined || 'problem' in found) {
    const chromiumTool = TEST_TOOLS.find((tool) => tool.name === 'chromium');
    throw new Error(found?.problem ?? (chromiumTool ? installLine(chromiumTool) : 'chromium is missing'));
  }
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: found.path, args: ['--no-sandbox'] });
}
