// Fixture sets from elsewhere cannot steer a write or a read out of their folder: names come
// only from a safe character set, links planted in the folder are replaced rather than
// written through, index entries naming files outside the set (or /dev/zero) are refused
// unread, and no error message quotes a file it was not meant to read.
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInside, writeInside } from '../../src/files/index.js';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { runCli } from '../support/cli.js';
import { fixtureRecord, writeRecords } from '../support/records-fixture.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-hostile-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every file and folder under `root`, relative to it. */
async function tree(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).map(String).sort();
}

function harEntry(method: string, url: string, id: string): unknown {
  return {
    _id: id,
    startedDateTime: '2026-12-01T10:00:00.000Z',
    time: 5,
    request: { method, url, headers: [{ name: 'accept', value: 'application/json' }] },
    response: { status: 200, headers: [{ name: 'content-type', value: 'application/json' }], content: { size: 2, mimeType: 'application/json', text: '{}' } },
  };
}

async function saveFixtures(cwd: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(['fixtures', 'save', ...args], { cwd, env: { ONS_PROXY_LOG_DIR: path.join(cwd, 'logs') } });
}

describe('fixture file names', () => {
  it('come from a safe character set, whatever method and path a HAR holds', async () => {
    const case_ = path.join(dir, 'har-traversal');
    const out = path.join(case_, 'deep', 'out');
    await mkdir(out, { recursive: true });
    const har = path.join(case_, 'other.har');
    const entries = [
      harEntry('../../escaped/pwn', 'https://api.example.test/x', 'a'),
      harEntry('GET', 'https://api.example.test/..%2F..%2F..%2Fescaped%2Fpath/%2e%2e/x', 'b'),
      harEntry('GET\u001b]0;title\u0007', 'https://api.example.test/%00%0a/t', 'c'),
    ];
    await writeFile(har, JSON.stringify({ log: { entries } }));
    const result = await saveFixtures(case_, ['--out', out, '--har', har]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await tree(case_)).toEqual(['deep', 'deep/out', ...(await readdir(out)).map((name) => `deep/out/${name}`), 'other.har'].sort());
    const names = await readdir(out);
    expect(names).toHaveLength(4);
    for (const name of names) expect(name).toMatch(/^[a-z0-9][A-Za-z0-9._-]*\.json$/);
  });

  it('come from a safe character set for a record of a copied log too, and name the operation when the record has one', async () => {
    const case_ = path.join(dir, 'log-traversal');
    const logs = path.join(case_, 'logs');
    const out = path.join(case_, 'out');
    const hostile = { ...fixtureRecord({ url: '/../../../escaped/x' }), method: '../../../escaped/pwn' };
    const named: TrafficRecord = { ...fixtureRecord({ url: '/v0/administration/clients/7' }), operation: { id: 'ClientAPI.byId', path: '/v0/administration/clients/{id}' } };
    const slashed: TrafficRecord = { ...fixtureRecord({ url: '/v0/x' }), operation: { id: '../../op/../x', path: '/v0/x' } };
    await writeRecords(logs, [hostile, named, slashed]);
    const result = await saveFixtures(case_, ['--out', out]);
    expect(result.code).toBe(0);
    expect(await tree(case_)).not.toContain('escaped');
    expect((await tree(case_)).filter((entry) => !entry.startsWith('logs') && !entry.startsWith('out'))).toEqual([]);
    const names = await readdir(out);
    expect(names).toContain('get-ClientAPI.byId.json');
    expect(names).toContain('get-op-..-x.json');
    for (const name of names) expect(name).toMatch(/^[a-z0-9][A-Za-z0-9._-]*\.json$/);
  });
});

describe('a symbolic link in the fixtures folder', () => {
  it('is replaced, never written through, by fixtures save (fixture files and index.json)', async () => {
    const case_ = path.join(dir, 'links');
    const out = path.join(case_, 'out');
    await mkdir(out, { recursive: true });
    const victim = path.join(case_, 'victim.txt');
    const victimIndex = path.join(case_, 'victim-index.txt');
    await writeFile(victim, 'untouched\n');
    await writeFile(victimIndex, 'untouched\n');
    await symlink(victim, path.join(out, 'get-t-clients-1.json'));
    // A link as index.json is not read either: the set is refused until it is replaced.
    await symlink(victimIndex, path.join(out, 'index.json'));
    await writeRecords(path.join(case_, 'logs'), [fixtureRecord({ url: '/t/clients/1' })]);
    const refused = await saveFixtures(case_, ['--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/index\.json is a symbolic link, and files here are never read through one/);
    await rm(path.join(out, 'index.json'));

    const saved = await saveFixtures(case_, ['--out', out]);
    expect(saved.stderr).toBe('');
    expect(saved.code).toBe(0);
    expect(await readFile(victim, 'utf8')).toBe('untouched\n');
    expect(await readFile(victimIndex, 'utf8')).toBe('untouched\n');
    // The link was replaced by the fixture itself.
    expect((await lstat(path.join(out, 'get-t-clients-1.json'))).isFile()).toBe(true);
    expect(JSON.parse(await readFile(path.join(out, 'get-t-clients-1.json'), 'utf8'))).toMatchObject({ request: { path: '/t/clients/1' } });
    expect((await lstat(path.join(out, 'index.json'))).isFile()).toBe(true);
  });

  it('is replaced by writeInside, and refused by readInside', async () => {
    const folder = path.join(dir, 'api');
    await mkdir(folder);
    const victim = path.join(dir, 'api-victim.txt');
    await writeFile(victim, 'untouched\n');
    await symlink(victim, path.join(folder, 'a.json'));
    await expect(readInside(folder, 'a.json', { maxBytes: 100 })).rejects.toThrow(/symbolic link/);
    await writeInside(folder, 'a.json', '{}\n');
    expect(await readFile(victim, 'utf8')).toBe('untouched\n');
    expect((await lstat(path.join(folder, 'a.json'))).isFile()).toBe(true);
    await expect(writeInside(folder, '../b.json', '{}')).rejects.toThrow(/not a plain file name/);
    await expect(readInside(folder, '/etc/passwd', { maxBytes: 100 })).rejects.toThrow(/not a plain file name/);
    expect(await readdir(folder)).toEqual(['a.json']);
  });
});

describe('an index entry naming a file outside the set', () => {
  async function setWithEntry(name: string, file: string): Promise<string> {
    const folder = path.join(dir, name);
    await mkdir(folder, { recursive: true });
    const entry = { file, method: 'GET', path: '/t/clients', status: 200, source: 'x' };
    await writeFile(path.join(folder, 'index.json'), JSON.stringify({ format: 'ons-proxy-fixtures/1', fixtures: [entry] }));
    return folder;
  }

  it.each([
    ['traversal', '../../../../../../etc/passwd'],
    ['an absolute path', '/etc/passwd'],
    ['a device', '/dev/zero'],
  ])('is refused unread (%s), and the message quotes nothing of it', async (name, file) => {
    const folder = await setWithEntry(`index-${name.replace(/ /g, '-')}`, file);
    const result = await runCli(['replay', folder], { cwd: dir, env: { ONS_PROXY_LOG_DIR: path.join(dir, 'logs') }, timeoutMs: 15_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/fixtures\[0\] names a file outside the set, or not a plain file name/);
    expect(result.stderr).not.toMatch(/root:/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is refused unread when it is a device or a pipe inside the set, or larger than a fixture may be', async () => {
    const folder = await setWithEntry('index-link-to-device', 'zero.json');
    await symlink('/dev/zero', path.join(folder, 'zero.json'));
    const linked = await runCli(['replay', folder], { cwd: dir, env: { ONS_PROXY_LOG_DIR: path.join(dir, 'logs') }, timeoutMs: 15_000 });
    expect(linked.code).toBe(2);
    expect(linked.stderr).toMatch(/zero\.json is a symbolic link/);
    await expect(readInside(folder, 'index.json', { maxBytes: 10 })).rejects.toThrow(/more than the 10 bytes/);
  });

  it('that is a file of the set with content that is not JSON is named without quoting it', async () => {
    const folder = await setWithEntry('index-not-json', 'secret.json');
    await writeFile(path.join(folder, 'secret.json'), 'root:x:0:0:secret-content\n');
    const result = await runCli(['replay', folder], { cwd: dir, env: { ONS_PROXY_LOG_DIR: path.join(dir, 'logs') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/secret\.json is not valid JSON/);
    expect(result.stderr).not.toMatch(/root:x|secret-content/);
  });
});

describe('an API document file', () => {
  it('that is a device is refused unread, and one that is not JSON is named without quoting it', async () => {
    const zero = await runCli(['openapi', 'find', 'clients'], { cwd: dir, env: { ONS_PROXY_OPENAPI: '/dev/zero' }, timeoutMs: 15_000 });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/\/dev\/zero is not a regular file/);
    const secret = path.join(dir, 'secret.txt');
    await writeFile(secret, 'root:x:0:0:secret-content\n');
    const notJson = await runCli(['openapi', 'find', 'clients'], { cwd: dir, env: { ONS_PROXY_OPENAPI: secret } });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/secret\.txt is not used: it is not JSON/);
    expect(notJson.stderr).not.toMatch(/root:x|secret-content/);
  });
});
