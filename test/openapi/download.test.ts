// `ons-proxy openapi update|status|find|show` and an https:// document at start, through the
// built command line against a local HTTPS server: conditional requests, a failing server and
// a cut-off download never replace a good cached copy, and the proxy never waits for one.
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnProxy } from '../support/cli.js';
import { startUpstream, upstreamEnv, type Upstream } from '../support/harness.js';
import { ONS_SHAPE_FIXTURE } from './helpers.js';

type Mode = 'ok' | 'fail' | 'cut' | 'hold';

let upstream: Upstream;
let server: Server;
let documentUrl: string;
let mode: Mode = 'ok';
let release: () => void = () => undefined;
const seen: Array<{ ifNoneMatch: string | undefined }> = [];
const documentText = readFileSync(ONS_SHAPE_FIXTURE, 'utf8');

beforeAll(async () => {
  upstream = await startUpstream();
  server = createServer({ cert: upstream.pki.server.certPem, key: upstream.pki.server.keyPem }, (req, res) => {
    seen.push({ ifNoneMatch: req.headers['if-none-match'] });
    if (mode === 'fail') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('down for maintenance');
    } else if (mode === 'cut') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(documentText) });
      res.write(documentText.slice(0, 1000), () => res.destroy());
    } else if (req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304, { etag: '"v1"' }).end();
    } else {
      const answer = (): void => {
        res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"', 'last-modified': 'Tue, 01 Dec 2026 08:00:00 GMT' }).end(documentText);
      };
      if (mode === 'hold') release = answer;
      else answer();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  documentUrl = `https://localhost:${(server.address() as AddressInfo).port}/assets/openapi.json`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await upstream?.close();
});

async function userFolders(): Promise<{ cwd: string; env: Record<string, string> }> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-openapi-'));
  return { cwd, env: { XDG_CACHE_HOME: path.join(cwd, 'cache'), HOME: cwd, NODE_EXTRA_CA_CERTS: upstream.pki.ca.certPath, ONS_PROXY_OPENAPI: documentUrl } };
}

describe('ons-proxy openapi update and status', () => {
  it('downloads into the user cache, then asks whether it changed; a failing or cut-off download keeps the copy', async () => {
    const { cwd, env } = await userFolders();
    mode = 'ok';
    const first = await runCli(['openapi', 'update'], { cwd, env });
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(new RegExp(`^Downloaded ${documentUrl.replace(/[.]/g, '\\.')}: \\d+ KB, 11 operations, dated 2026-12-01 \\("Fixture in the shape of the Ons API document"\\)\\.\\nCached in ${path.join(cwd, 'cache', 'ons-mtls-proxy')}/openapi-localhost-[0-9a-f]{12}\\.json\\n$`));
    expect(first.code).toBe(0);

    const second = await runCli(['openapi', 'update'], { cwd, env });
    expect(seen.at(-1)?.ifNoneMatch).toBe('"v1"');
    expect(second.stdout).toMatch(/^Unchanged since \d{4}-\d{2}-\d{2} \(the server said so\): \d+ KB, 11 operations/);

    mode = 'fail';
    const failed = await runCli(['openapi', 'update'], { cwd, env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(`ons-proxy: ${documentUrl} answered 500 instead of the document; the cached copy is kept.\n`);

    mode = 'cut';
    const cut = await runCli(['openapi', 'update'], { cwd, env });
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/^ons-proxy: the download of \S+ (broke off|ended) after \d+ (bytes )?of \d+.*; the cached copy is kept\.\n$/);

    const status = await runCli(['openapi', 'status'], { cwd, env });
    expect(status.stdout).toContain(`Document:   ${documentUrl} ("Fixture in the shape of the Ons API document")`);
    expect(status.stdout).toMatch(/Size: +\d+ KB, 11 operations/);
    expect(status.stdout).toMatch(/Downloaded: \S+ \(today\); the server dates it Tue, 01 Dec 2026 08:00:00 GMT/);
  });

  it('find and show read the cached copy without the network', async () => {
    const { cwd, env } = await userFolders();
    mode = 'ok';
    expect((await runCli(['openapi', 'update'], { cwd, env })).code).toBe(0);
    mode = 'fail';
    const found = await runCli(['openapi', 'find', 'by_bsn'], { cwd, env });
    expect(found.stdout).toMatch(/^1 operation in .*:\nGET \/v0\/administration\/clients\/by_bsn +ClientAPI\.byBsn: Find a client by BSN\n$/);
    const shown = await runCli(['openapi', 'show', 'GET', '/v0/administration/clients/3'], { cwd, env });
    expect(shown.stdout).toContain('GET /v0/administration/clients/{id} ClientAPI.byId: Find a client by their primary key');
    expect(shown.stdout).toMatch(/Parameters:\n {2}id \(path, required\) {2}integer int64/);
    expect(shown.stdout).toMatch(/200 application\/json: administration\.Client\n {4}id +integer int64 \(required\)/);
    const unknown = await runCli(['openapi', 'show', 'ClientAPI.nothing'], { cwd, env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^ons-proxy: No operation has the id "ClientAPI\.nothing"; similar: .*\n$/);
  });

  it('says what a first update brings when nothing is cached', async () => {
    const { cwd, env } = await userFolders();
    const status = await runCli(['openapi', 'status'], { cwd, env });
    expect(status.stdout).toMatch(/^No copy of \S+ is cached \(looked in .*\)\.\nRun "ons-proxy openapi update" to fetch it\.\n$/);
  });
});

describe('a document at start', () => {
  it('fetches an https:// document in the background: requests are served before it arrives, and named after', async () => {
    const { cwd, env } = await userFolders();
    mode = 'hold';
    const proxy = await spawnProxy(['start'], { cwd, env: { ...env, ...upstreamEnv(upstream, path.join(cwd, 'logs')) } });
    try {
      const recordOf = async (target: string): Promise<{ operation?: { id: string } }> => {
        const response = await request(`${proxy.url}${target}`, { headers: { accept: 'application/json' } });
        await response.body.dump();
        expect(response.statusCode).toBe(200);
        for (;;) {
          const found = await request(`${proxy.url}/__proxy/api/exchanges/${String(response.headers['x-request-id'])}`);
          if (found.statusCode === 200) return (await found.body.json()) as { operation?: { id: string } };
          await found.body.dump();
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      };
      expect((await recordOf('/t/clients/1')).operation).toBeUndefined();
      release();
      let named: { operation?: { id: string } } = {};
      for (let i = 0; i < 200 && named.operation === undefined; i++) named = await recordOf('/t/clients/1');
      expect(named.operation?.id).toBe('ClientAPI.byId');
    } finally {
      expect(await proxy.stop()).toBe(0);
    }
  });

  it('runs without a broken document, after one line naming the file and what is wrong', async () => {
    const { cwd } = await userFolders();
    const broken = path.join(cwd, 'swagger.json');
    await writeFile(broken, JSON.stringify({ swagger: '2.0', paths: {} }));
    const proxy = await spawnProxy(['start'], { cwd, env: { ...upstreamEnv(upstream, path.join(cwd, 'logs')), ONS_PROXY_OPENAPI: broken } });
    try {
      const ping = await request(`${proxy.url}/ping`);
      expect(await ping.body.text()).toBe('pong');
      const lines = proxy.output().split('\n').filter((line) => line.includes('OpenAPI document'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`OpenAPI document ${broken} is not used: it is Swagger 2.0, not OpenAPI 3.0 or 3.1: convert it first (e.g. with swagger2openapi). The proxy runs without it (ONS_PROXY_OPENAPI).`);
    } finally {
      await proxy.stop();
    }
  });

  it('makes no network call without a cached Ons document: one line on what the document adds', async () => {
    const { cwd, env } = await userFolders();
    const proxy = await spawnProxy(['start'], { cwd, env: { XDG_CACHE_HOME: env.XDG_CACHE_HOME ?? '', HOME: cwd, ...upstreamEnv(upstream, path.join(cwd, 'logs')) } });
    try {
      expect(proxy.output()).toContain('No API document cached: with it the proxy adds operation names on every record');
      expect(proxy.output()).toContain('ons-proxy openapi update');
      // Nothing was written: no download was tried.
      expect(await readdir(cwd)).not.toContain('cache');
    } finally {
      await proxy.stop();
    }
  });
});
