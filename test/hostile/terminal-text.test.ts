// Escape and OSC sequences in a recorded URL, method, tag or x-ons-usecase label, a JSON field
// name, or an API document's texts never reach the terminal raw: every command that prints
// them shows their control characters escaped (\x1b), and JSON output stays JSON.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalText } from '../../src/log/terminal-text.js';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { runCli, spawnProxy } from '../support/cli.js';
import { fixtureRecord, writeRecords } from '../support/records-fixture.js';

// Clear the screen, retitle the window (OSC, ended by BEL), a hidden hyperlink, a C1 CSI, a bidi override.
const CLEAR = '\u001b[2J';
const TITLE = '\u001b]0;owned\u0007';
const LINK = '\u001b]8;;https://evil.example/\u001b\\';
const C1 = '\u009b31m';
const BIDI = '\u202e';
// Anything a terminal acts on: C0 controls but line break and tab, DEL, C1, bidi overrides.
// eslint-disable-next-line no-control-regex -- exactly what must not appear
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let dir: string;
let env: Record<string, string>;

function hostileRecords(): TrafficRecord[] {
  const labelled = fixtureRecord({ url: `/v0/administration/clients/1?q=${CLEAR}`, responseBody: { [`na${TITLE}me`]: `value${LINK}`, list: [{ [`x${C1}`]: 1 }] } });
  labelled.method = `GET${BIDI}`;
  labelled.tag = `dev${TITLE}`;
  labelled.request.headers['x-ons-usecase'] = `Use case${CLEAR}${LINK}`;
  labelled.operation = { id: `ClientAPI.byId${CLEAR}`, path: '/v0/administration/clients/{id}', tag: `Clients${TITLE}`, summary: `One client${C1}` };
  const removed = fixtureRecord({ url: `/t/clients/2${LINK}` });
  removed.tag = `t${C1}`;
  // Cut at the body limit: `fixtures save` lists it, URL and all.
  const cut = fixtureRecord({ url: `/v0/cut${TITLE}` });
  cut.response.bodyTruncated = true;
  return [labelled, removed, cut];
}

function hostileDocument(): unknown {
  const operation = (id: string): unknown => ({
    operationId: id,
    summary: `Summary${TITLE}${C1}`,
    description: `Text${CLEAR}`,
    tags: [`Clients${LINK}`],
    parameters: [{ name: `id${CLEAR}`, in: 'path', required: true, schema: { type: 'integer' }, description: `The id${TITLE}` }],
    responses: { '200': { description: `OK${C1}`, content: { 'application/json': { schema: { $ref: '#/components/schemas/Client' } } } } },
  });
  return {
    openapi: '3.0.1',
    info: { title: `Hostile${TITLE}`, version: '1' },
    paths: {
      '/v0/administration/clients/{id}': { get: operation(`ClientAPI.byId${CLEAR}`) },
      [`/v0/evil${LINK}/{id}`]: { get: operation(`Evil${BIDI}`) },
    },
    components: { schemas: { Client: { type: 'object', description: `Model${CLEAR}`, properties: { [`na${TITLE}me`]: { type: 'string', description: `Field${C1}` } } } } },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-hostile-terminal-'));
  await writeRecords(path.join(dir, 'logs'), hostileRecords());
  await writeFile(path.join(dir, 'openapi.json'), JSON.stringify(hostileDocument()));
  env = { ONS_PROXY_LOG_DIR: path.join(dir, 'logs'), ONS_PROXY_OPENAPI: path.join(dir, 'openapi.json') };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectEscaped(output: string): void {
  expect(output).not.toMatch(RAW_CONTROL);
  expect(output).toMatch(/\\x1b|\\u009b|\\u202e/);
}

describe('terminalText', () => {
  it('shows control characters escaped and keeps line breaks, tabs and ordinary text', () => {
    expect(terminalText(`a${CLEAR}b\u0007\r\n\tc\u007f${C1}${BIDI}é`)).toBe('a\\x1b[2Jb\\x07\\x0d\n\tc\\u007f\\u009b31m\\u202eé');
    expect(terminalText('plain /t/clients?q=1 – ok')).toBe('plain /t/clients?q=1 – ok');
  });

  it('leaves JSON text JSON, with the same values', () => {
    const value = { [`k${C1}`]: `v${BIDI}\u007f` };
    expect(JSON.parse(terminalText(JSON.stringify(value)))).toEqual(value);
  });
});

describe('every command that prints records, labels, documents or files', () => {
  it.each([
    ['logs', ['logs']],
    ['logs --json', ['logs', '--json']],
    ['endpoints', ['endpoints']],
    ['endpoints --format markdown', ['endpoints', '--format', 'markdown']],
    ['endpoints --json', ['endpoints', '--json']],
    ['migrate', ['migrate']],
    ['openapi find', ['openapi', 'find', 'summary']],
    ['openapi find --json', ['openapi', 'find', 'summary', '--json']],
    ['openapi show', ['openapi', 'show', 'GET', '/v0/administration/clients/3']],
    ['openapi show (no match: hint)', ['openapi', 'show', 'GET', `/v0/nothing${CLEAR}`]],
  ])('shows them escaped: %s', async (_name, args) => {
    const result = await runCli(args, { cwd: dir, env });
    expectEscaped(result.stdout + result.stderr);
    if (args.includes('--json')) {
      for (const line of (args[0] === 'logs' ? result.stdout.trim().split('\n') : [result.stdout])) expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });

  it('shows them escaped in one record printed in full', async () => {
    const [first] = hostileRecords();
    await writeRecords(path.join(dir, 'one'), [first as TrafficRecord]);
    const result = await runCli(['logs', '--id', (first as TrafficRecord).id], { cwd: dir, env: { ...env, ONS_PROXY_LOG_DIR: path.join(dir, 'one') } });
    expect(result.code).toBe(0);
    expectEscaped(result.stdout);
    expect(JSON.parse(result.stdout)).toMatchObject({ tag: `dev${TITLE}` });
  });

  it('shows them escaped in fixtures save (written and skipped exchanges) and in replay messages', async () => {
    const out = path.join(dir, `fixtures${TITLE}`);
    const saved = await runCli(['fixtures', 'save', '--out', out], { cwd: dir, env });
    expect(saved.code).toBe(0);
    expectEscaped(saved.stdout + saved.stderr);
    await mkdir(out, { recursive: true });
    const replay = await spawnProxy(['replay', out, '--latency', '0'], { cwd: dir, env: { ONS_PROXY_LOG_DIR: path.join(dir, 'replay-logs') } });
    try {
      const answer = await fetch(`${replay.url}/v0/unknown${encodeURIComponent(CLEAR)}`);
      expect(answer.status).toBe(404);
      await answer.arrayBuffer();
    } finally {
      await replay.stop();
    }
    expectEscaped(replay.output());
  });
});
