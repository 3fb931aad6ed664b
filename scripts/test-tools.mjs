// The programs the test suite drives as real clients, where to find them, and how to install
// them. Shared by scripts/test-setup.mjs (run before `npm test`) and the tests that use them,
// so both agree on which Chromium is meant.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** @typedef {{ debian: string, fedora: string, homebrew: string }} InstallCommands */
/** @typedef {{ name: string, usedFor: string, debianPackage: string, install: InstallCommands }} TestTool */

/** @type {readonly TestTool[]} */
export const TEST_TOOLS = [
  {
    name: 'chromium',
    usedFor: 'the inspector page in a real browser',
    debianPackage: 'chromium',
    install: { debian: 'sudo apt-get install -y chromium', fedora: 'sudo dnf install -y chromium', homebrew: 'brew install --cask chromium' },
  },
  {
    name: 'openssl',
    usedFor: 'checking the CSRs ons-proxy csr makes',
    debianPackage: 'openssl',
    install: { debian: 'sudo apt-get install -y openssl', fedora: 'sudo dnf install -y openssl', homebrew: 'brew install openssl' },
  },
  {
    name: 'curl',
    usedFor: "Expect: 100-continue and the demo's printed examples",
    debianPackage: 'curl',
    install: { debian: 'sudo apt-get install -y curl', fedora: 'sudo dnf install -y curl', homebrew: 'brew install curl' },
  },
  {
    name: 'python3',
    usedFor: 'clients and webhook receivers in another language (Python with requests)',
    debianPackage: 'python3-requests',
    install: { debian: 'sudo apt-get install -y python3-requests', fedora: 'sudo dnf install -y python3-requests', homebrew: 'brew install python && pip3 install requests' },
  },
];

/**
 * A python3 that can import requests: the tests' Python clients need both.
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {string | undefined}
 */
export function findPythonWithRequests(env) {
  const python = findOnPath('python3', env);
  if (python === undefined) return undefined;
  const probe = spawnSync(python, ['-c', 'import requests'], { env: { ...env }, stdio: 'ignore' });
  return probe.status === 0 ? python : undefined;
}

/** @param {string} file */
function isExecutableFile(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The first executable called `command` in the folders of PATH.
 * @param {string} command
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {string | undefined}
 */
export function findOnPath(command, env) {
  for (const folder of (env.PATH ?? '').split(path.delimiter)) {
    if (folder === '') continue;
    const candidate = path.join(folder, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

// Where Playwright keeps the browsers it downloads (`npx playwright install chromium`), newest revision first.
const PLAYWRIGHT_EXECUTABLES = [
  ['chrome-linux64', 'chrome'],
  ['chrome-linux', 'chrome'],
  ['chrome-mac-arm64', 'Chromium.app', 'Contents', 'MacOS', 'Chromium'],
  ['chrome-mac', 'Chromium.app', 'Contents', 'MacOS', 'Chromium'],
];

/** @param {Readonly<Record<string, string | undefined>>} env */
function playwrightChromium(env) {
  const home = env.HOME ?? os.homedir();
  const caches = env.PLAYWRIGHT_BROWSERS_PATH ? [env.PLAYWRIGHT_BROWSERS_PATH] : [path.join(home, '.cache', 'ms-playwright'), path.join(home, 'Library', 'Caches', 'ms-playwright')];
  for (const cache of caches) {
    let entries;
    try {
      entries = readdirSync(cache);
    } catch {
      continue;
    }
    const revisions = entries.filter((name) => /^chromium-\d+$/.test(name)).sort((a, b) => Number(b.slice(9)) - Number(a.slice(9)));
    for (const revision of revisions) {
      for (const parts of PLAYWRIGHT_EXECUTABLES) {
        const candidate = path.join(cache, revision, ...parts);
        if (isExecutableFile(candidate)) return candidate;
      }
    }
  }
  return undefined;
}

/**
 * The Chromium the browser tests launch: ONS_PROXY_CHROMIUM when set (it must then be one:
 * a wrong setting is reported, not passed over), else chromium, chromium-browser,
 * google-chrome on PATH (Debian's is /usr/bin/chromium), else a Playwright download.
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {{ path: string } | { problem: string } | undefined}
 */
export function findChromium(env) {
  const chosen = env.ONS_PROXY_CHROMIUM;
  if (chosen !== undefined && chosen !== '') {
    return isExecutableFile(chosen) ? { path: chosen } : { problem: `ONS_PROXY_CHROMIUM=${chosen} is not an executable file: point it at a Chromium or Chrome, or unset it to use the one on PATH.` };
  }
  for (const command of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    const found = findOnPath(command, env);
    if (found) return { path: found };
  }
  const downloaded = playwrightChromium(env);
  return downloaded ? { path: downloaded } : undefined;
}

/**
 * Where each tool is, or what is wrong.
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {Array<{ tool: TestTool, path?: string, problem?: string }>}
 */
export function locateTestTools(env) {
  return TEST_TOOLS.map((tool) => {
    const onPath = tool.name === 'python3' ? findPythonWithRequests(env) : findOnPath(tool.name, env);
    const found = tool.name === 'chromium' ? findChromium(env) : onPath ? { path: onPath } : undefined;
    return found === undefined ? { tool } : { tool, ...found };
  });
}

/**
 * The one line that says how to get a missing tool.
 * @param {TestTool} tool
 */
export function installLine(tool) {
  const { debian, fedora, homebrew } = tool.install;
  const alternative = tool.name === 'chromium' ? '; or set ONS_PROXY_CHROMIUM to a Chromium or Chrome' : '';
  return `${tool.name} is missing (${tool.usedFor}): Debian/Ubuntu: ${debian} | Fedora: ${fedora} | macOS: ${homebrew}${alternative}`;
}
