/**
 * An embedded mock of the Ons development API over real mTLS.
 *
 * The server asks for a client certificate but does not abort the handshake without one, so
 * it can answer like Ons's nginx does: 495 over HTTP instead of a TLS alert. The gates run in
 * the order a developer meets them at Ons: certificate (495), parallelism (429), routing
 * (404/405), content negotiation (406), then the route itself.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type PeerCertificateInfo, type Route, acceptsAny, sendJson, sendOnsError } from './mock-http.js';
import { createRemovedOnsRoutes } from './mock-routes.js';
import { createV0Routes } from './mock-v0-routes.js';
import { REDELIVER_ROUTE } from './mock-webhook-routes.js';

/** Ons allows at most 4 parallel requests per certificate. */
export const ONS_MAX_PARALLEL_PER_CERTIFICATE = 4;

export interface MockOnsApiOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  pki: { serverCertPem: string; serverKeyPem: string; caPem: string };
  maxParallelPerCertificate?: number;
  /**
   * The /t/ paths Ons removed on 2026-05-19: 'not-found' answers them 404 as Ons does now
   * (the default, what the demo shows); 'serve' still answers them, for suites written against them.
   */
  removedPaths?: 'not-found' | 'serve';
  /** How many serials stats.clientSerials keeps (default MOCK_CLIENT_SERIALS_KEPT). */
  clientSerialsKept?: number;
  /**
   * Routes matched before the Ons ones, behind the same certificate and parallelism gates.
   * The tests mount their /__mock/ helpers here; the user's demo serves only Ons paths.
   */
  extraRoutes?: readonly Route[];
}

/**
 * stats.clientSerials keeps the serials of this many most recent requests. Tests read a handful;
 * `ons-proxy demo` runs this mock for as long as the user likes (days), so an unbounded list
 * would grow by one string per request for nothing.
 */
export const MOCK_CLIENT_SERIALS_KEPT = 10_000;

export interface MockStats {
  /** Every request that reached HTTP, including those answered 495/429. */
  requests: number;
  /** Highest number of requests in flight at once (all certificates, rejected ones included). */
  maxInFlight: number;
  inFlight: number;
  /**
   * Serial of the certificate presented with each request, in arrival order; none when no cert
   * was sent. Only the most recent MOCK_CLIENT_SERIALS_KEPT (or clientSerialsKept) are kept.
   */
  clientSerials: string[];
}

export interface MockOnsApi {
  /** `https://localhost:PORT`, so the server certificate's SAN matches and SNI is sent. */
  url: string;
  /** `https://127.0.0.1:PORT`, for clients that must not resolve localhost. No SNI is sent to an IP. */
  ipUrl: string;
  port: number;
  /** Live counters: the object stays the same, so a reference taken early stays valid. */
  stats: MockStats;
  resetStats(): void;
  /** Stops listening and destroys open connections, including streaming ones. */
  close(): Promise<void>;
}

const NO_CERT_HTML = nginxPage('No required SSL certificate was sent');
const BAD_CERT_HTML = nginxPage('The SSL certificate error');

function nginxPage(message: string): string {
  return [
    '<html>',
    `<head><title>495 ${message}</title></head>`,
    '<body>',
    '<center><h1>495 SSL Certificate Error</h1></center>',
    `<center>${message}</center>`,
    '<hr><center>nginx</center>',
    '</body>',
    '</html>',
    '',
  ].join('\r\n');
}

function sendNginx495(res: ServerResponse, html: string): void {
  res.writeHead(495, 'SSL Certificate Error', {
    'content-type': 'text/html',
    'content-length': Buffer.byteLength(html),
  });
  res.end(html);
}

function peerCertificate(socket: TLSSocket): PeerCertificateInfo | undefined {
  const peer = socket.getPeerCertificate();
  // Node returns an empty object, not null, when the client sent no certificate.
  if (peer === null || peer.raw === undefined) return undefined;
  const cn = peer.subject?.CN;
  return {
    serialNumber: peer.serialNumber,
    subjectCN: Array.isArray(cn) ? cn.join(', ') : (cn ?? ''),
    fingerprint256: peer.fingerprint256,
  };
}

export async function startMockOnsApi(opts: MockOnsApiOptions): Promise<MockOnsApi> {
  const maxParallel = opts.maxParallelPerCertificate ?? ONS_MAX_PARALLEL_PER_CERTIFICATE;
  const serialsKept = opts.clientSerialsKept ?? MOCK_CLIENT_SERIALS_KEPT;
  const routes: Route[] = [...(opts.extraRoutes ?? []), ...createV0Routes(), REDELIVER_ROUTE, ...(opts.removedPaths === 'serve' ? createRemovedOnsRoutes() : [])];
  const stats: MockStats = { requests: 0, maxInFlight: 0, inFlight: 0, clientSerials: [] };
  const inFlightByCertificate = new Map<string, number>();

  function track(res: ServerResponse, certKey: string | undefined): void {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    if (certKey !== undefined) inFlightByCertificate.set(certKey, (inFlightByCertificate.get(certKey) ?? 0) + 1);
    // A request stops counting once its response is fully handed to the socket ('prefinish',
    // before the client can see the end) or the exchange is aborted ('close'). Waiting for
    // 'close' alone would 429 a client that sends its next request the moment one completes.
    let done = false;
    const release = (): void => {
      if (done) return;
      done = true;
      stats.inFlight--;
      if (certKey === undefined) return;
      const left = (inFlightByCertificate.get(certKey) ?? 1) - 1;
      if (left === 0) inFlightByCertificate.delete(certKey);
      else inFlightByCertificate.set(certKey, left);
    };
    res.once('prefinish', release);
    res.once('close', release);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const socket = req.socket as TLSSocket;
    const cert = peerCertificate(socket);
    if (cert !== undefined) {
      stats.clientSerials.push(cert.serialNumber);
      // In place: a reference to stats (or to the array) taken early stays valid.
      if (stats.clientSerials.length > serialsKept) stats.clientSerials.splice(0, stats.clientSerials.length - serialsKept);
    }
    // Count before the limit check: an over-limit request is still in flight until answered.
    const previous = cert === undefined ? 0 : (inFlightByCertificate.get(cert.fingerprint256) ?? 0);
    track(res, cert?.fingerprint256);

    if (cert === undefined || !socket.authorized) {
      req.resume();
      sendNginx495(res, cert === undefined ? NO_CERT_HTML : BAD_CERT_HTML);
      return;
    }
    if (previous >= maxParallel) {
      req.resume();
      sendOnsError(res, 429, {
        field: 'certificate',
        value: cert.subjectCN,
        message: `Too many parallel requests for this certificate (at most ${maxParallel})`,
      });
      return;
    }

    const url = new URL(req.url ?? '/', 'https://localhost');
    const matching = routes
      .map((route) => ({ route, match: route.pattern.exec(url.pathname) }))
      .filter((m): m is { route: Route; match: RegExpExecArray } => m.match !== null);
    const method = req.method ?? 'GET';
    const found = matching.find((m) => m.route.methods.includes(method));
    if (found === undefined) {
      req.resume();
      if (matching.length === 0) {
        sendOnsError(res, 404, { field: 'path', value: url.pathname, message: 'No endpoint exists at this path' });
      } else {
        const allow = [...new Set(matching.flatMap((m) => m.route.methods))].join(', ');
        sendOnsError(res, 405, { field: 'method', value: method, message: `Method not allowed; use ${allow}` });
      }
      return;
    }

    // The real API requires an Accept header: none at all is a 406 just like a mismatch.
    // (The proxy is expected to add a default Accept; this mock deliberately does not.)
    const { produces } = found.route;
    if (produces !== undefined && !acceptsAny(req.headers.accept, produces)) {
      req.resume();
      sendOnsError(res, 406, {
        field: 'Accept',
        value: req.headers.accept ?? '',
        message: `Accept must allow ${produces.join(' or ')}`,
      });
      return;
    }

    await found.route.handle({ req, res, url, params: found.match.slice(1).map((p) => p ?? ''), cert });
  }

  const server: Server = createServer(
    {
      cert: opts.pki.serverCertPem,
      key: opts.pki.serverKeyPem,
      ca: opts.pki.caPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      keepAlive: true,
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        sendJson(res, 500, { type: 'about:blank', title: 'Mock failure', status: 500, detail: String(error) });
      });
    },
  );
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://localhost:${port}`,
    ipUrl: `https://127.0.0.1:${port}`,
    port,
    stats,
    resetStats() {
      stats.requests = 0;
      stats.maxInFlight = stats.inFlight;
      stats.clientSerials.length = 0;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
