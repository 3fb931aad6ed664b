// The mock as other programs meet it: a Python (requests) sync paging through it, and the one
// line the command says when it cannot start (no document, not OpenAPI, a seed that is no number).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTION_SIZE } from '../../src/mock/index.js';
import { runCli } from '../support/cli.js';
import { startMock, writeDocument } from './helpers.js';

const DEMO_DOCUMENT = fileURLToPath(new URL('../../config/demo-openapi.json', import.meta.url));
const PYTHON_SYNC = fileURLToPath(new URL('./python_sync.py', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-mock-clients-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ons-proxy mock with clients in other languages', () => {
  it('serves a Python requests sync: every page until a short one, ids carried, a note created and one refused', async () => {
    const mock = await startMock(dir, ['--openapi', DEMO_DOCUMENT]);
    try {
      const { stdout } = await promisify(execFile)('python3', [PYTHON_SYNC, mock.url], { timeout: 30_000 });
      expect(JSON.parse(stdout)).toEqual({
        clients: COLLECTION_SIZE,
        unique_ids: COLLECTION_SIZE,
        ids_carried: true,
        note_status: 201,
        note_client: true,
        refused_status: 400,
        refused_fields: ['text'],
        mock_header: 'ClientAPI.list',
      });
    } finally {
      await mock.stop();
    }
  });
});

describe('ons-proxy mock refuses to start on bad input, in one line', () => {
  const env = (): Record<string, string> => ({ ONS_PROXY_PORT: '0', XDG_CACHE_HOME: path.join(dir, 'empty-cache'), HOME: dir });

  it('without a cached document or --openapi, says how to get one', async () => {
    const { code, stderr } = await runCli(['mock'], { cwd: dir, env: env() });
    expect(code).toBe(2);
    expect(stderr).toBe('ons-proxy: No API document to answer from: run "ons-proxy openapi update" once to cache Ons\'s document, or give one with --openapi <file|url>.\n');
  });

  it('names a document that is not OpenAPI 3.0 or 3.1', async () => {
    const swagger = await writeDocument(dir, 'swagger.json', { swagger: '2.0', paths: {} });
    const { code, stderr } = await runCli(['mock', '--openapi', swagger], { cwd: dir, env: env() });
    expect(code).toBe(2);
    expect(stderr).toBe(`ons-proxy: OpenAPI document ${swagger} is not used: it is Swagger 2.0, not OpenAPI 3.0 or 3.1: convert it first (e.g. with swagger2openapi). Give the mock an OpenAPI 3.0 or 3.1 document with --openapi <file|url>.\n`);
  });

  it('refuses a seed that is not a number and a --validate it does not know', async () => {
    const seed = await runCli(['mock', '--openapi', DEMO_DOCUMENT, '--seed', 'abc'], { cwd: dir, env: env() });
    expect(seed.code).toBe(2);
    expect(seed.stderr).toBe('ons-proxy: --seed "abc" is not a number: give a whole number such as --seed 42 (the same seed gives the same answers).\n');
    const validate = await runCli(['mock', '--openapi', DEMO_DOCUMENT, '--validate', 'loose'], { cwd: dir, env: env() });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain('--validate "loose" is not known: use strict');
  });
});
