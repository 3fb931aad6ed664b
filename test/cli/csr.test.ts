// `ons-proxy csr` as a developer runs it before visiting the Ons API Dashboard: the CSR must
// verify with openssl, carry exactly the subject asked for and an RSA 4096 key, and nothing
// already on disk may be overwritten.
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';

const CN = 'hr_integration-TE2003-free_text';
const FIELDS = ['--name', 'hr_integration', '--customer', 'TE2003', '--id', 'free_text', '--org', 'Stichting Zorg Fryslân', '--unit', 'ICT & Data', '--city', 'Leeuwarden', '--state', 'Friesland', '--country', 'nl', '--email', 'dev@zorg.example'];

let dir: string;
let made: CliResult;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ons-proxy-csr-'));
  made = await runCli(['csr', ...FIELDS, '--out', 'certs'], { cwd: dir, timeoutMs: 60_000 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectRefused(result: CliResult, message: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

describe('ons-proxy csr', () => {
  const csrPath = (): string => path.join(dir, 'certs', `${CN}.csr`);
  const keyPath = (): string => path.join(dir, 'certs', `${CN}.key`);

  it('writes <CN>.key (mode 0600) and <CN>.csr and says what to do next', () => {
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(statSync(keyPath()).mode & 0o777).toBe(0o600);
    expect(made.stdout).toContain(`CSR:         ${csrPath()}`);
    expect(made.stdout).toMatch(/upload hr_integration-TE2003-free_text\.csr/);
    expect(made.stdout).not.toContain('PRIVATE KEY');
  });

  it('is a CSR openssl verifies, with exactly the subject asked for', () => {
    const verify = spawnSync('openssl', ['req', '-verify', '-noout', '-in', csrPath()], { encoding: 'utf8' });
    expect(verify.status).toBe(0);
    expect(verify.stdout + verify.stderr).toMatch(/verify OK/);
    const subject = execFileSync('openssl', ['req', '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb', '-in', csrPath()], { encoding: 'utf8' }).trim();
    expect(subject).toBe('subject=emailAddress=dev@zorg.example,C=NL,ST=Friesland,L=Leeuwarden,O=Stichting Zorg Fryslân,OU=ICT & Data,CN=hr_integration-TE2003-free_text');
  });

  it('parses back to an RSA 4096 public key that belongs to the written private key', () => {
    const csr = forge.pki.certificationRequestFromPem(readFileSync(csrPath(), 'utf8'));
    expect(csr.verify()).toBe(true);
    expect(csr.subject.getField('CN').value).toBe(CN);
    const publicKey = csr.publicKey as forge.pki.rsa.PublicKey;
    expect(publicKey.n.bitLength()).toBe(4096);
    const fromKey = createPublicKey(createPrivateKey(readFileSync(keyPath(), 'utf8'))).export({ type: 'spki', format: 'der' });
    const fromCsr = createPublicKey(forge.pki.publicKeyToPem(publicKey)).export({ type: 'spki', format: 'der' });
    expect(fromCsr.equals(fromKey)).toBe(true);
  });

  it('never overwrites an existing file', async () => {
    const before = readFileSync(keyPath());
    expectRefused(await runCli(['csr', ...FIELDS, '--out', 'certs'], { cwd: dir }), /hr_integration-TE2003-free_text\.key already exists and is never overwritten/);
    expect(readFileSync(keyPath()).equals(before)).toBe(true);
    writeFileSync(path.join(dir, `${CN}.csr`), 'mine');
    expectRefused(await runCli(['csr', ...FIELDS], { cwd: dir }), /hr_integration-TE2003-free_text\.csr already exists/);
    expect(readFileSync(path.join(dir, `${CN}.csr`), 'utf8')).toBe('mine');
  });

  it('names every field that breaks the rules, in one line', async () => {
    const result = await runCli(['csr', '--name', 'HR-Integration', '--customer', 'XX12', '--id', 'free text', '--org', 'Zorg', '--unit', 'ICT', '--city', 'Assen', '--country', 'NLD', '--email', 'not-an-address'], { cwd: dir });
    expectRefused(result, /^ons-proxy: Cannot make the CSR: --name must be .* lowercase .*not "HR-Integration"; --customer "XX12" is not an Ons customer code \(TE1002 for development; .*; --id must be letters, digits and _ .*; --state is required .*; --country must be a 2-letter country code .*not "NLD"; --email must be an e-mail address/);
  });

  it('defaults the customer code to TE1002 (development) and requires the rest', async () => {
    const result = await runCli(['csr', '--name', 'hr_integration', '--id', 'x'], { cwd: dir });
    expectRefused(result, /--org is required.*--unit is required.*--city is required.*--state is required.*--country must be.*--email must be/);
    expect(result.stderr).not.toMatch(/--customer/);
  });
});
