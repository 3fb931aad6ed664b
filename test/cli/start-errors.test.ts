import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-cli-'));
});

/** A user error: exit 2, one line on stderr, no stack trace. */
function expectOneLineError(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('ons-proxy start refuses bad setups with one clear line', () => {
  it('says how to configure a certificate, or to run the demo', async () => {
    expectOneLineError(await runCli(['start'], { cwd }), /^ons-proxy: No client certificate configured: set ONS_PROXY_CERT and ONS_PROXY_KEY .* run `ons-proxy demo` \(`npm run demo` in a clone of the repository\)\.$/);
  });

  it('names a missing certificate file', async () => {
    const result = await runCli(['start'], { cwd, env: { ONS_PROXY_CERT: 'missing.pem', ONS_PROXY_KEY: 'missing-key.pem' } });
    expectOneLineError(result, new RegExp(`^ons-proxy: Cannot read the certificate ${path.join(cwd, 'missing.pem')} \\(ONS_PROXY_CERT\\): the file does not exist\\.`));
  });

  it('names an invalid setting from a flag', async () => {
    expectOneLineError(await runCli(['start', '--port', 'abc'], { cwd }), /^ons-proxy: ONS_PROXY_PORT \(--port\) from the command line is "abc": it must be a whole number from 0 to 65535\.$/);
  });

  it('rejects an unknown flag and points at --help', async () => {
    expectOneLineError(await runCli(['start', '--prot', '80'], { cwd }), /^ons-proxy: Unknown option '--prot'\. Run "ons-proxy start --help" to see the options\.$/);
  });

  it('rejects an unknown command', async () => {
    expectOneLineError(await runCli(['strat'], { cwd }), /^ons-proxy: Unknown command "strat"\. Commands: start, demo/);
  });

  it('refuses to listen beyond loopback without --unsafe-listen', async () => {
    expectOneLineError(await runCli(['start', '--host', '0.0.0.0'], { cwd }), /^ons-proxy: ONS_PROXY_HOST is 0\.0\.0\.0, which is not a loopback address: .*--unsafe-listen/);
  });

  it('reads settings from .env in the working folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-dotenv-'));
    await writeFile(path.join(dir, '.env'), 'ONS_PROXY_ENVIRONMENT=acceptance\n');
    expectOneLineError(await runCli(['start'], { cwd: dir }), /^ons-proxy: ONS_PROXY_ENVIRONMENT \(--environment\) from \.env file .* is "acceptance": it must be one of development, staging, production\.$/);
  });
});

describe('help', () => {
  it('lists the commands', async () => {
    const result = await runCli(['--help'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Commands:\n\s+start\s+.+\n\s+demo\s+/);
  });

  it('describes every setting of start with its environment variable', async () => {
    const { SETTINGS } = await import('../../src/config/settings.js');
    const result = await runCli(['start', '--help'], { cwd });
    expect(result.code).toBe(0);
    for (const spec of SETTINGS) {
      expect(result.stdout).toContain(`--${spec.flag}`);
      expect(result.stdout).toContain(spec.env);
    }
  });
});
