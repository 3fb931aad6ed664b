// The client's credentials never reappear: an upstream that echoes the request (its headers
// in the answer body, in an answer header and in a Location URL) gets an Authorization header
// and a cookie; neither value is anywhere in the records, the fixtures or the HAR export.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxyProcess, startScriptedUpstream, type ScriptedUpstream } from '../hardening/scripted-upstream.js';
import { runCli } from '../support/cli.js';
import { send } from '../replay/helpers.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.Zm9vYmFy/x+y';
const SESSION = 'sess-7f3a9c2e41b8d05f';

let upstream: ScriptedUpstream;
let logDir: string;

async function filesUnder(folder: string): Promise<string> {
  const texts: string[] = [];
  for (const name of await readdir(folder, { recursive: true })) {
    const text = await readFile(path.join(folder, name), 'utf8').catch(() => '');
    texts.push(text);
  }
  return texts.join('\n');
}

function expectNoCredentials(text: string): void {
  for (const secret of [TOKEN, SESSION, encodeURIComponent(TOKEN), JSON.stringify(TOKEN).slice(1, -1).replace(/\//g, '\\/')]) expect(text).not.toContain(secret);
}

beforeAll(async () => {
  upstream = await startScriptedUpstream((request, _body, response) => {
    response.setHeader('content-type', 'application/json');
    response.setHeader('x-echo-authorization', String(request.headers.authorization));
    response.setHeader('location', `/v0/next?session=${SESSION}`);
    // JSON.stringify writes "/" as it is; an escaped "\/" spelling is in the body too.
    const echoed = JSON.stringify({ headers: request.headers, url: request.url, message: `Invalid token ${TOKEN}` });
    response.end(echoed.replace('}', `,"escaped":"${TOKEN.replace(/\//g, '\\/')}"}`));
  });
  logDir = path.join(upstream.dir, 'logs');
  const proxy = await startProxyProcess(upstream);
  try {
    const answer = await send(proxy.url, { path: `/v0/echo?session=${SESSION}`, headers: { authorization: `Bearer ${TOKEN}`, cookie: `session=${SESSION}; lang=nl` } });
    // The client itself still gets the answer as the upstream sent it.
    expect(answer.bytes.toString()).toContain(TOKEN);
  } finally {
    await proxy.stop();
  }
});
afterAll(async () => {
  await upstream?.close();
});

describe('credentials echoed by the upstream', () => {
  it('are masked in the record: body, answer headers and URLs', async () => {
    const text = await filesUnder(logDir);
    expect(text).toContain('/v0/echo');
    expect(text).toContain('Invalid token [redacted]');
    expectNoCredentials(text);
    const line = JSON.parse(text.split('\n').find((candidate) => candidate.includes('/v0/echo')) ?? '{}') as { response: { bodyEncoding: string } };
    expect(line.response.bodyEncoding).toBe('json');
  });

  it('are absent from fixtures and the HAR export', async () => {
    const fixtures = path.join(upstream.dir, 'fixtures');
    expect((await runCli(['fixtures', 'save', '--out', fixtures, '--log-dir', logDir], { cwd: upstream.dir })).code).toBe(0);
    expectNoCredentials(await filesUnder(fixtures));
    const har = path.join(upstream.dir, 'exchanges.har');
    expect((await runCli(['har', '--out', har, '--log-dir', logDir], { cwd: upstream.dir })).code).toBe(0);
    expectNoCredentials(await readFile(har, 'utf8'));
  });

  it('are masked when fixtures are saved from a browser HAR that holds them in clear', async () => {
    const har = path.join(upstream.dir, 'browser.har');
    const entry = {
      startedDateTime: '2026-12-01T10:00:00.000Z',
      time: 10,
      request: { method: 'GET', url: `https://api.example.test/v0/echo?session=${SESSION}`, headers: [{ name: 'Authorization', value: `Bearer ${TOKEN}` }, { name: 'Cookie', value: `session=${SESSION}` }] },
      response: { status: 200, headers: [{ name: 'X-Echo', value: TOKEN }], content: { mimeType: 'application/json', text: JSON.stringify({ token: TOKEN, session: SESSION }) } },
    };
    await writeFile(har, JSON.stringify({ log: { entries: [entry] } }));
    const fixtures = path.join(upstream.dir, 'from-browser');
    expect((await runCli(['fixtures', 'save', '--out', fixtures, '--har', har], { cwd: upstream.dir })).code).toBe(0);
    expectNoCredentials(await filesUnder(fixtures));
  });
});
