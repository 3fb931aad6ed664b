/**
 * Test-support routes under /__mock/. The proxy's own tests rely on them, so they stream:
 * nothing here holds a whole request or response body in memory.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { deterministicStream } from './deterministic-bytes.js';
import { type PeerCertificateInfo, type Route, sendJson, sendOnsError } from '../../src/demo/mock-http.js';

const ANY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const MAX_SLOW_MS = 120_000;
const MAX_BYTES = 16 * 1024 ** 3;

/** What `/__mock/echo` answers; exported so tests can type the parsed body. */
export interface MockEchoResponse {
  method: string;
  url: string;
  /** Node's merged view (lower-case names; repeated values joined, set-cookie as an array). */
  headers: Record<string, string | string[] | undefined>;
  /** Every header line as received, original case and order, repeats kept. */
  rawHeaders: [string, string][];
  bodyBytes: number;
  bodySha256: string;
  clientCertificate: PeerCertificateInfo;
  /** The SNI name the client sent, or null when it sent none (e.g. when connecting to an IP). */
  tlsServername: string | null;
  /** e.g. 'TLSv1.3'. */
  tlsProtocol: string | null;
  httpVersion: string;
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return out;
}

async function hashBody(body: AsyncIterable<Buffer>): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    hash.update(chunk);
  }
  return { bytes, sha256: hash.digest('hex') };
}

function intParam(url: URL, name: string, fallback: number, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(value) && value <= max ? value : undefined;
}

const SAMPLE_JSON = JSON.stringify({
  compressed: true,
  clients: Array.from({ length: 50 }, (_, i) => ({ id: i + 1, note: 'Herhaalde tekst comprimeert goed. '.repeat(4) })),
});

const ENCODERS: Record<string, (input: Buffer) => Buffer> = {
  gzip: gzipSync,
  br: brotliCompressSync,
  deflate: deflateSync,
};

export function createTestRoutes(): Route[] {
  return [
    {
      methods: ANY_METHOD,
      pattern: /^\/__mock\/echo$/,
      async handle({ req, res, cert }) {
        const { bytes, sha256 } = await hashBody(req);
        const socket = req.socket as TLSSocket;
        const servername = socket.servername;
        const body: MockEchoResponse = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rawHeaders: pairs(req.rawHeaders),
          bodyBytes: bytes,
          bodySha256: sha256,
          clientCertificate: cert,
          tlsServername: typeof servername === 'string' && servername !== '' ? servername : null,
          tlsProtocol: socket.getProtocol(),
          httpVersion: req.httpVersion,
        };
        sendJson(res, 200, body);
      },
    },
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/__mock\/bytes$/,
      async handle({ req, res, url }) {
        const size = intParam(url, 'size', 1024, MAX_BYTES);
        if (size === undefined) {
          sendOnsError(res, 400, { field: 'size', value: url.searchParams.get('size') ?? '', message: `size must be 0..${MAX_BYTES}` });
          return;
        }
        const chunked = url.searchParams.get('chunked') === '1';
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          ...(chunked ? {} : { 'content-length': String(size) }),
        });
        // Node discards a HEAD body without backpressure; don't spin the generator for nothing.
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        // pipeline destroys the generator when the client goes away, so generation stops too.
        await pipeline(deterministicStream(size, url.searchParams.get('seed') ?? '0'), res).catch(() => undefined);
      },
    },
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/__mock\/gzip$/,
      handle({ res, url }) {
        const encoding = url.searchParams.get('encoding') ?? 'gzip';
        const encode = ENCODERS[encoding];
        if (encode === undefined) {
          sendOnsError(res, 400, { field: 'encoding', value: encoding, message: 'encoding must be gzip, br or deflate' });
          return;
        }
        const body = encode(Buffer.from(SAMPLE_JSON));
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-encoding': encoding,
          'content-length': body.length,
          vary: 'Accept-Encoding',
        });
        res.end(body);
      },
    },
    {
      methods: ['POST', 'PUT'],
      pattern: /^\/__mock\/upload$/,
      async handle({ req, res }) {
        sendJson(res, 200, await hashBody(req));
      },
    },
    {
      methods: ANY_METHOD,
      pattern: /^\/__mock\/status\/(\d{3})$/,
      handle({ req, res, url, params }) {
        req.resume();
        const status = Number(params[0]);
        if (status < 200 || status > 599) {
          // 1xx are interim responses and cannot end an exchange.
          sendOnsError(res, 400, { field: 'code', value: String(status), message: 'code must be 200..599' });
          return;
        }
        const reasonParam = url.searchParams.get('reason');
        // writeHead with '' puts "HTTP/1.1 418 \r\n" on the wire: a status line without a reason
        // phrase (allowed by RFC 9112). Setting res.statusMessage = '' would not: Node refills it.
        const reason = reasonParam === 'none' ? '' : (reasonParam ?? STATUS_CODES[status] ?? 'Unknown');
        if (status === 204 || status === 304) {
          res.writeHead(status, reason);
          res.end();
          return;
        }
        const body = JSON.stringify({ status, reason });
        res.writeHead(status, reason, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
    },
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/__mock\/headers$/,
      handle({ req, res }) {
        // Hop-by-hop headers the proxy must strip, next to repeated end-to-end headers it must keep.
        res.setHeader('set-cookie', ['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure']);
        res.setHeader('x-multi', ['one', 'two']);
        // An explicit keep-alive would override a client's "Connection: close" and hold its socket open.
        if (!/\bclose\b/i.test(req.headers.connection ?? '')) res.setHeader('connection', 'keep-alive');
        res.setHeader('keep-alive', 'timeout=5');
        sendJson(res, 200, { headers: true });
      },
    },
    {
      methods: ['GET', 'POST'],
      pattern: /^\/__mock\/slow$/,
      async handle({ req, res, url }) {
        req.resume();
        const ms = intParam(url, 'ms', 1000, MAX_SLOW_MS);
        if (ms === undefined) {
          sendOnsError(res, 400, { field: 'ms', value: url.searchParams.get('ms') ?? '', message: `ms must be 0..${MAX_SLOW_MS}` });
          return;
        }
        const abort = new AbortController();
        const onClose = (): void => abort.abort();
        res.once('close', onClose);
        try {
          await delay(ms, undefined, { signal: abort.signal });
        } catch {
          return; // client went away; nothing left to answer
        } finally {
          res.off('close', onClose);
        }
        sendJson(res, 200, { waitedMs: ms });
      },
    },
  ];
}
