// Secrets on the command line are readable by every local user through ps. The access token
// has a file form like the passphrase, a secret given as a flag gets a warning, and --help says so.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnProxy } from '../support/cli.js';
import { startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';

const TOKEN = 'file-token-7f3a9c';

let upstream: ScriptedUpstream;
let tokenFile: string;

beforeAll(async () => {
  upstream = await startScriptedUpstream((_request, _body, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  tokenFile = path.join(upstream.dir, 'access-token');
  await writeFile(tokenFile, `${TOKEN}\nsecond line is ignored\n`, { mode: 0o600 });
});
afterAll(async () => {
  await upstream.close();
});

describe('secrets out of the process list', () => {
  it('takes the access token from the first line of ONS_PROXY_ACCESS_TOKEN_FILE, without a warning', async () => {
    const proxy = await spawnProxy(['start', '--access-token-file', tokenFile], { env: upstream.env(), cwd: upstream.dir });
    try {
      expect((await fetch(`${proxy.url}/v0/clients`)).status).toBe(401);
      expect((await fetch(`${proxy.url}/v0/clients`, { headers: { 'x-proxy-token': 'second line is ignored' } })).status).toBe(401);
      expect((await fetch(`${proxy.url}/v0/clients`, { headers: { 'x-proxy-token': TOKEN } })).status).toBe(200);
      const visible = `${await readFile(`/proc/${proxy.child.pid}/cmdline`, 'utf8')}${await readFile(`/proc/${proxy.child.pid}/environ`, 'utf8')}`;
      expect(visible).not.toContain(TOKEN);
    } finally {
      expect(await proxy.stop()).toBe(0);
    }
    expect(proxy.output()).not.toMatch(/can be read by every user/);
  });

  it.each([
    ['--access-token', 'x-flag-token', '--access-token-file <file> (ONS_PROXY_ACCESS_TOKEN_FILE)'],
    ['--passphrase', 'not-needed', '--passphrase-file <file> (ONS_PROXY_PASSPHRASE_FILE)'],
  ])('warns when %s comes from the command line', async (flag, value, instead) => {
    const proxy = await spawnProxy(['start', flag, value], { env: upstream.env(), cwd: upstream.dir });
    expect(await proxy.stop()).toBe(0);
    const warnings = proxy.output().split('\n').filter((line) => line.includes(`${flag} on the command line can be read by every user of this machine (ps): use ${instead} instead.`));
    expect(warnings).toHaveLength(1);
    expect(proxy.output()).not.toContain(value);
  });

  it.each([
    ['both the token and its file', ['--access-token-file', 'FILE'], { ONS_PROXY_ACCESS_TOKEN: 'x' }, /ONS_PROXY_ACCESS_TOKEN \(--access-token\) and ONS_PROXY_ACCESS_TOKEN_FILE \(--access-token-file\) are both set: keep only the file\./],
    ['a missing token file', ['--access-token-file', 'missing'], {}, /ONS_PROXY_ACCESS_TOKEN_FILE \(--access-token-file\): cannot read .*missing: the file does not exist\./],
    ['an empty token file', ['--access-token-file', 'EMPTY'], {}, /ONS_PROXY_ACCESS_TOKEN_FILE \(--access-token-file\): the first line of .* is empty; put the secret on it\./],
  ])('refuses %s with one line', async (_name, args, env: Record<string, string>, message) => {
    const empty = path.join(upstream.dir, 'empty-token');
    await writeFile(empty, '\n');
    const resolved = args.map((arg) => (arg === 'FILE' ? tokenFile : arg === 'EMPTY' ? empty : arg));
    const result = await runCli(['start', ...resolved], { env: upstream.env(env), cwd: upstream.dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('says so in --help', async () => {
    const help = (await runCli(['start', '--help'], { cwd: upstream.dir })).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--access-token-file <path> File whose first line is the access token');
    expect(help).toContain('As a flag every local user can read it (ps): prefer --access-token-file.');
    expect(help).toContain('As a flag every local user can read it (ps): prefer --passphrase-file.');
  });
});
