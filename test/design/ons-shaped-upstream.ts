// An mTLS upstream in Ons's shape (the demo's PKI and gates) with client routes that answer
// nested objects, lists, NDJSON and gzip, and count every call that reaches them: the count at
// the upstream is what proves a blocked call never left the proxy.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startMockOnsApi, writeDemoPki, type DemoPki, type MockOnsApi, type Route } from '../../src/demo/index.js';
import { clientListText, clientText } from './ons-clients.js';

export interface OnsShapedUpstream {
  readonly pki: DemoPki;
  readonly mock: MockOnsApi;
  readonly dir: string;
  /** Calls per "METHOD path" that reached the upstream. */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

export const OPENAPI_FIXTURE = path.join(import.meta.dirname, 'fixtures', 'ons-shaped-openapi.json');

/** Enough NDJSON lines that the answer streams through the proxy rather than being collected. */
export const EXPORT_LINES = 400;

export async function startOnsShapedUpstream(): Promise<OnsShapedUpstream> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-design-'));
  const pki = await writeDemoPki(dir);
  const calls = new Map<string, number>();
  const count = (method: string | undefined, url: URL): void => {
    const key = `${method ?? ''} ${url.pathname}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
  };
  const json = (body: string, gzip: boolean): { headers: Record<string, string | number>; bytes: Buffer } => {
    const bytes = gzip ? gzipSync(body) : Buffer.from(body);
    return { headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) }, bytes };
  };
  const routes: Route[] = [
    {
      methods: ['GET'],
      pattern: /^\/v0\/administration\/clients(?:\/find)?$/,
      handle({ req, res, url }) {
        count(req.method, url);
        const { headers, bytes } = json(clientListText(Number(url.searchParams.get('bytes') ?? 4000)), url.searchParams.has('gzip'));
        // ?corrupt: a body that says gzip but is not.
        const sent = url.searchParams.has('corrupt') ? Buffer.concat([bytes.subarray(0, 10), Buffer.alloc(bytes.length - 10, 7)]) : bytes;
        res.writeHead(200, headers).end(sent);
      },
    },
    {
      methods: ['GET'],
      pattern: /^\/v0\/administration\/clients\/export$/,
      handle({ req, res, url }) {
        count(req.method, url);
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        // Written in pieces that cut lines (and a multi-byte character) apart, as a real stream does.
        const text = Array.from({ length: EXPORT_LINES }, (_, i) => clientText(i).replace('"Proefstraat"', '"Pröefstraat"')).join('\n') + '\n';
        const bytes = Buffer.from(text);
        for (let at = 0; at < bytes.length; at += 4093) res.write(bytes.subarray(at, at + 4093));
        res.end();
      },
    },
    {
      methods: ['GET'],
      pattern: /^\/v0\/administration\/clients\/(\d+)$/,
      handle({ req, res, url, params }) {
        count(req.method, url);
        const { headers, bytes } = json(clientText(Number(params[0]) % 1000), url.searchParams.has('gzip'));
        res.writeHead(200, headers).end(bytes);
      },
    },
    {
      methods: ['POST'],
      pattern: /^\/v0\/administration\/clients\/(\d+)\/notes$/,
      async handle({ req, res, url }) {
        count(req.method, url);
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        // Answers with the note as sent plus fields of its own: nothing of it may be filtered.
        const sent = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        const body = JSON.stringify({ id: 77, ...sent, author: 'Proef Medewerker', secretRemark: 'kept' });
        res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      },
    },
    {
      methods: ['GET'],
      pattern: /^\/v0\/administration\/employees$/,
      handle({ req, res, url }) {
        count(req.method, url);
        const body = JSON.stringify([{ id: 1, firstName: 'Wim', lastName: 'Proef' }]);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      },
    },
  ];
  const mock = await startMockOnsApi({ pki: { serverCertPem: pki.server.certPem, serverKeyPem: pki.server.keyPem, caPem: pki.ca.certPem }, extraRoutes: routes });
  return {
    pki,
    mock,
    dir,
    calls,
    async close() {
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
