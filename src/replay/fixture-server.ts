// The upstream of `ons-proxy replay`: an HTTPS server on loopback that answers from fixtures,
// so the proxy in front of it runs exactly as `start` does (guards, limiter, records,
// inspector). A miss answers 404 replay_no_match with the nearest fixtures, or, with
// fallthrough, goes to the real API with the real certificate.
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { withoutHopByHop } from '../proxy/hop-by-hop.js';
import { PROBLEM_CONTENT_TYPE } from '../proxy/problem.js';
import { describeUpstreamFailure } from '../proxy/upstream-errors.js';
import { FALLTHROUGH_MARK, REPLAY_HEADER, bodyBytes, splitUrl } from './fixture.js';
import { FixtureMatcher, type MatchOptions, type MatchResult, type NamedFixture, type NearMiss, type ReplayRequest } from './matcher.js';

/** "recorded": each fixture's own recorded time; a number: that many ms for every answer. */
export type Latency = 'recorded' | number;

export interface FallthroughTarget {
  /** The real API's base URL. */
  readonly upstream: string;
  /** Presents the configured client certificate. */
  readonly dispatcher: Dispatcher;
}

export interface FixtureServerLog {
  warn(message: string): void;
}

export interface FixtureServerOptions {
  readonly fixtures: readonly NamedFixture[];
  readonly match: MatchOptions;
  readonly latency: Latency;
  /** The server's certificate, and the CA whose client certificate (the proxy's) it requires. */
  readonly tls: { readonly certPem: string; readonly keyPem: string; readonly clientCaPem: string };
  readonly fallthrough?: FallthroughTarget | undefined;
  readonly log: FixtureServerLog;
}

export interface FixtureServer {
  /** https://localhost:PORT (the throwaway server certificate is for localhost). */
  readonly url: string;
  close(): Promise<void>;
}

export async function startFixtureServer(options: FixtureServerOptions): Promise<FixtureServer> {
  const matcher = new FixtureMatcher(options.fixtures, options.match);
  // Only the proxy in front may call: with --fallthrough this server reaches the API with the real
  // certificate, and must not be a way around the proxy's guards for anything else on this machine.
  const tlsOptions = { cert: options.tls.certPem, key: options.tls.keyPem, ca: options.tls.clientCaPem, requestCert: true, rejectUnauthorized: true };
  const server: Server = createServer(tlsOptions, (req, res) => {
    void answer(req, res).catch((error: unknown) => {
      options.log.warn(`replay: could not answer ${req.method ?? ''} ${req.url ?? ''}: ${(error as Error).message}`);
      res.destroy();
    });
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const { path, query } = splitUrl(req.url ?? '/');
    const request: ReplayRequest = { method: req.method ?? 'GET', path, query, body };
    const result = matcher.match(request);
    if (result.kind === 'hit') return serveFixture(res, request, result, options.latency);
    if (result.kind === 'exhausted') {
      const detail = `${request.method} ${req.url ?? ''} was recorded ${result.fixtures.length} time${result.fixtures.length === 1 ? '' : 's'}; this is call ${result.call}, and --strict serves no more. Record the extra call, or replay without --strict to get the last answer again.`;
      options.log.warn(`replay: ${detail}`);
      return sendProblemJson(res, 404, { code: 'replay_exhausted', title: 'No more recorded answers for this request', detail, fixtures: result.fixtures.map((named) => named.file) });
    }
    if (options.fallthrough) return fallThrough(req, res, body, options.fallthrough);
    const detail = noMatchDetail(request.method, req.url ?? '', result.nearest);
    options.log.warn(`replay: ${detail}`);
    return sendProblemJson(res, 404, { code: 'replay_no_match', title: 'No recorded exchange matches this request', detail, nearest: result.nearest });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function serveFixture(res: ServerResponse, request: ReplayRequest, hit: Extract<MatchResult, { kind: 'hit' }>, latency: Latency): Promise<void> {
  const { fixture, file } = hit.fixture;
  const wait = latency === 'recorded' ? fixture.source.durationMs : latency;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  if (res.destroyed) return;
  const bytes = bodyBytes(fixture.response);
  try {
    res.writeHead(fixture.response.status, { ...fixture.response.headers, 'content-length': bytes.length, [REPLAY_HEADER]: file });
  } catch (error) {
    // A fixture edited by hand can hold a header Node refuses to send.
    return sendProblemJson(res, 500, { code: 'replay_bad_fixture', title: 'The fixture cannot be sent', detail: `${file} has response headers that cannot be sent (${(error as Error).message}): fix them in the file.` });
  }
  res.end(request.method === 'HEAD' ? undefined : bytes);
}

/** A miss sent on to the real API, its answer passed back as it comes (the proxy records it as usual). */
async function fallThrough(req: IncomingMessage, res: ServerResponse, body: Buffer, target: FallthroughTarget): Promise<void> {
  const upstream = new URL(target.upstream);
  const headers: IncomingHttpHeaders = withoutHopByHop(req.headers);
  headers.host = upstream.host;
  let answer: Dispatcher.ResponseData;
  try {
    answer = await undiciRequest(`${upstream.origin}${upstream.pathname.replace(/\/$/, '')}${req.url ?? '/'}`, {
      dispatcher: target.dispatcher,
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      headers,
      body: body.length > 0 ? body : undefined,
    });
  } catch (error) {
    const failure = describeUpstreamFailure(error, target.upstream);
    return sendProblemJson(res, failure.status, { code: failure.code, title: failure.title, detail: failure.detail });
  }
  res.writeHead(answer.statusCode, { ...withoutHopByHop(answer.headers), [REPLAY_HEADER]: FALLTHROUGH_MARK });
  await pipeline(answer.body, res);
}

function noMatchDetail(method: string, url: string, nearest: readonly NearMiss[]): string {
  if (nearest.length === 0) return `No fixture for ${method} ${url}: the set is empty.`;
  const closest = nearest
    .map((miss) => `${miss.file} (${miss.method} ${miss.path}: ${miss.differences.join('; ') || 'same request, already served'})`)
    .join(', ');
  return `No fixture for ${method} ${url}. Nearest: ${closest}. Ignore volatile parts with --ignore-query or --ignore-body-field, or record this exchange with --fallthrough.`;
}

interface ReplayProblem {
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly [extra: string]: unknown;
}

function sendProblemJson(res: ServerResponse, status: number, problem: ReplayProblem): void {
  const { code, title, detail, ...extra } = problem;
  const text = JSON.stringify({ type: `urn:ons-mtls-proxy:problem:${code}`, title, status, detail, code, ...extra });
  res.writeHead(status, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', [REPLAY_HEADER]: code });
  res.end(text);
}
