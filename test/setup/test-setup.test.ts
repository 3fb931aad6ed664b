// scripts/test-setup.mjs, which `npm test` runs first: it finds the programs the suite drives,
// installs Debian's packages where it may, and otherwise stops with how to install each.
// PATH and HOME point at prepared folders, so "missing" is tested without uninstalling anything.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/test-setup.mjs', import.meta.url));

function runSetup(env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [SCRIPT], { env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function folder(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'ons-proxy-setup-'));
}

function executable(file: string, body = 'exit 0'): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('the test set-up', () => {
  it('names the tools it found and lets the tests run', () => {
    const bin = folder();
    for (const name of ['chromium', 'openssl', 'curl', 'python3']) executable(path.join(bin, name));
    const result = runSetup({ PATH: bin, HOME: folder() });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`test setup: chromium ${bin}/chromium, openssl ${bin}/openssl, curl ${bin}/curl, python3 ${bin}/python3\n`);
  });

  it('stops before the tests with one line per missing tool and the commands that install it', () => {
    const result = runSetup({ PATH: folder(), HOME: folder() });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('The tests need these before they can run:');
    expect(lines.slice(1).map((line) => line.trim().split(' ')[0])).toEqual(['chromium', 'openssl', 'curl', 'python3']);
    for (const line of lines.slice(1)) expect(line).toMatch(/is missing \(.+\): Debian\/Ubuntu: sudo apt-get install -y \S+ \| Fedora: sudo dnf install -y \S+ \| macOS: brew install /);
    expect(lines[1]).toContain('or set ONS_PROXY_CHROMIUM');
  });

  it("finds a Chromium in Playwright's browser cache, the newest revision first", () => {
    const home = folder();
    const bin = folder();
    for (const name of ['openssl', 'curl', 'python3']) executable(path.join(bin, name));
    executable(path.join(home, '.cache', 'ms-playwright', 'chromium-1100', 'chrome-linux', 'chrome'));
    const newest = executable(path.join(home, '.cache', 'ms-playwright', 'chromium-1200', 'chrome-linux64', 'chrome'));
    const result = runSetup({ PATH: bin, HOME: home });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`chromium ${newest},`);
  });

  it('prefers ONS_PROXY_CHROMIUM, and says so when it names no program', () => {
    const bin = folder();
    for (const name of ['chromium', 'openssl', 'curl', 'python3']) executable(path.join(bin, name));
    const chosen = executable(path.join(folder(), 'my-chrome'));
    expect(runSetup({ PATH: bin, HOME: folder(), ONS_PROXY_CHROMIUM: chosen }).stdout).toContain(`chromium ${chosen},`);
    const wrong = runSetup({ PATH: bin, HOME: folder(), ONS_PROXY_CHROMIUM: '/no/such/chromium' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toEqual([
      'The tests need these before they can run:',
      '  ONS_PROXY_CHROMIUM=/no/such/chromium is not an executable file: point it at a Chromium or Chrome, or unset it to use the one on PATH.',
    ]);
  });

  it('counts a python3 that cannot import requests as missing, and names the package that brings it', () => {
    const bin = folder();
    for (const name of ['chromium', 'openssl', 'curl']) executable(path.join(bin, name));
    executable(path.join(bin, 'python3'), 'exit 1');
    const result = runSetup({ PATH: bin, HOME: folder() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('python3 is missing (clients and webhook receivers in another language (Python with requests)): Debian/Ubuntu: sudo apt-get install -y python3-requests');
  });

  it("installs Debian's packages for what is missing when apt-get is there and it runs as root", () => {
    const bin = folder();
    const calls = path.join(folder(), 'apt-get-calls');
    writeFileSync(calls, '');
    // Stands in for apt-get (the machine's own must not change): it logs its arguments and, on
    // install, puts the named programs on PATH as the real packages would.
    executable(
      path.join(bin, 'apt-get'),
      [`echo "$DEBIAN_FRONTEND $*" >> ${calls}`, '[ "$1" = install ] || exit 0', 'shift 3', `for p in "$@"; do printf '#!/bin/sh\\n' > ${bin}/$p; /bin/chmod +x ${bin}/$p; done`].join('\n'),
    );
    executable(path.join(bin, 'curl'));
    executable(path.join(bin, 'python3'));
    const result = runSetup({ PATH: bin, HOME: folder() });
    if (process.getuid?.() === 0) {
      expect(readFileSync(calls, 'utf8')).toBe('noninteractive update -qq\nnoninteractive install -y -qq chromium openssl\n');
      expect(result.stdout).toContain('test setup: installing chromium, openssl with apt-get');
      expect(result.code).toBe(0);
    } else {
      // Without root it may not install: it says what to run instead.
      expect(readFileSync(calls, 'utf8')).toBe('');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('sudo apt-get install -y chromium');
    }
  });
});
