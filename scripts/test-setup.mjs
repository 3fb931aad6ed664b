// Run by `npm test` (pretest) before anything else: the suite drives Chromium, openssl and curl
// as real clients. A missing one is installed from Debian's packages when this machine can
// (apt-get and root); otherwise the run stops here with one line per missing tool saying how
// to install it, instead of failing deep inside a test.
import { spawnSync } from 'node:child_process';
import { findOnPath, installLine, locateTestTools } from './test-tools.mjs';

const env = process.env;

/** @param {ReturnType<typeof locateTestTools>} located */
const missingOf = (located) => located.filter((entry) => entry.path === undefined);

let located = locateTestTools(env);
let missing = missingOf(located);
const installable = missing.filter((entry) => entry.problem === undefined);
const aptGet = findOnPath('apt-get', env);

if (installable.length > 0 && aptGet !== undefined && process.getuid?.() === 0) {
  const packages = installable.map((entry) => entry.tool.debianPackage);
  process.stdout.write(`test setup: installing ${packages.join(', ')} with apt-get\n`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...packages]]) {
    const result = spawnSync(aptGet, args, { env: aptEnv, stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) {
      process.stderr.write(`test setup: "apt-get ${args.join(' ')}" failed (exit ${result.status ?? result.signal}); install ${packages.join(', ')} yourself and run npm test again.\n`);
      process.exit(1);
    }
  }
  located = locateTestTools(env);
  missing = missingOf(located);
}

if (missing.length > 0) {
  process.stderr.write('The tests need these before they can run:\n');
  for (const entry of missing) process.stderr.write(`  ${entry.problem ?? installLine(entry.tool)}\n`);
  process.exit(1);
}
process.stdout.write(`test setup: ${located.map((entry) => `${entry.tool.name} ${entry.path}`).join(', ')}\n`);
