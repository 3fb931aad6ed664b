// The package as users get it: `npm pack` of this build, installed with the npm client into a
// fresh prefix, and its `ons-proxy` run from a folder that is not the checkout.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProxy } from '../support/cli.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };

let work: string;
let tarball: string;
let entries: string[];
let installOutput: string;
let prefix: string;
let installedBin: string;
let elsewhere: string;

beforeAll(async () => {
  if (!existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
  work = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-pack-'));
  // --ignore-scripts: pack the build npm test just made; "prepare" would rebuild dist/ under the other suites.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!info) throw new Error(`npm pack printed no result: ${packed.stdout}`);
  tarball = path.join(work, info.filename);
  entries = info.files.map((file) => file.path).sort();
  prefix = path.join(work, 'prefix');
  const installed = await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: work, env: { ...process.env, npm_config_loglevel: 'warn' } });
  installOutput = installed.stdout + installed.stderr;
  installedBin = path.join(prefix, 'bin', 'ons-proxy');
  elsewhere = path.join(work, 'somewhere-else');
  await mkdir(elsewhere);
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds the command, its presets, the inspector page and the typed entry, and nothing else', () => {
    expect(entries).toEqual(expect.arrayContaining(['package.json', 'README.md', '.env.example', 'config/environments.json', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'dist/inspector/assets/index.html']));
    const unwanted = entries.filter((file) => /^(src|test|bench|scripts|\.ci)\//.test(file) || file.endsWith('.map') || file.endsWith('.ts') && !file.endsWith('.d.ts'));
    expect(unwanted).toEqual([]);
    for (const file of entries) expect(file, file).toMatch(/^(package\.json|README\.md|\.env\.example|config\/[^/]+\.json|dist\/.+\.(js|d\.ts|html|css))$/);
  });

  it('installs with the npm client without engine warnings on this Node', () => {
    expect(existsSync(installedBin)).toBe(true);
    expect(installOutput).not.toContain('EBADENGINE');
  });
});

describe('the installed ons-proxy, run from another folder', () => {
  it('prints its help and its version', async () => {
    const help = await run(installedBin, ['--help'], { cwd: elsewhere });
    expect(help.stdout).toContain('Usage: ons-proxy [command] [options]');
    expect(help.stdout).toMatch(/^ {2}demo /m);
    const version = await run(installedBin, ['--version'], { cwd: elsewhere });
    expect(version.stdout).toBe(`${pkg.version}\n`);
  });

  it('runs the demo: /ping through it, the inspector page, the real host name', async () => {
    const demo = await spawnProxy(['demo'], { cwd: elsewhere, executable: installedBin, env: { ONS_PROXY_LOG_DIR: path.join(elsewhere, 'logs') } });
    try {
      const ping = await run('curl', ['-sS', '-i', `${demo.url}/ping`]);
      expect(ping.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\npong$/);
      const viaProxy = await run('curl', ['-sS', '-x', demo.url, 'http://api-development.ons.io/ping']);
      expect(viaProxy.stdout).toBe('pong');
      const page = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{content_type}', `${demo.url}/__proxy/`]);
      expect(page.stdout).toMatch(/^200 text\/html/);
      // The bundled command, not the sources the other suites import: the inspector's resend
      // sends through this very proxy and must find its HTTP client in the bundle.
      const listed = await run('curl', ['-sS', `${demo.url}/__proxy/api/exchanges`]);
      const pinged = (JSON.parse(listed.stdout) as { exchanges: Array<{ id: string; url: string }> }).exchanges.find((exchange) => exchange.url === '/ping');
      expect(pinged).toBeDefined();
      const resent = await run('curl', ['-sS', '-X', 'POST', '-w', '\n%{http_code}', `${demo.url}/__proxy/api/exchanges/${pinged?.id ?? ''}/resend`]);
      const [resentBody, resentStatus] = resent.stdout.split('\n');
      expect(resentStatus).toBe('200');
      expect((JSON.parse(resentBody ?? '') as { resent: { url: string; status: number } }).resent).toMatchObject({ url: '/ping', status: 200 });
    } finally {
      expect(await demo.stop('SIGINT')).toBe(0);
    }
  });

  it('is importable by its name, with startProxy and the record schema', async () => {
    const app = path.join(work, 'app');
    await mkdir(path.join(app, 'node_modules'), { recursive: true });
    await symlink(path.join(prefix, 'lib', 'node_modules', pkg.name), path.join(app, 'node_modules', pkg.name));
    const probe = `import * as api from '${pkg.name}'; console.log(typeof api.startProxy, typeof api.readRecords, api.TrafficRecordSchema.type);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: app });
    expect(stdout).toBe('function function object\n');
  });
});
