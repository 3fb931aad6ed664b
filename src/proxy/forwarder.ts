import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import httpProxy from '@fastify/http-proxy';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { isClientAbort } from './client-abort.js';
import { isAdminPath } from '../admin/index.js';
import { tryAnswerSources, type AnswerSource } from '../answers/index.js';
import { answerEarly, type ProxyFeature } from './feature.js';
import { withoutHopByHop } from './hop-by-hop.js';
import { sendProblem } from './problem.js';
import { noteStreamedBytes } from './streamed-buffers.js';
import { attachExchangeRequest, ExchangeDispatcher } from './upstream-requests.js';
import { describeUpstreamFailure } from './upstream-errors.js';

export interface ForwarderOptions {
  readonly upstream: string;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly features: readonly ProxyFeature[];
  /** Answers a path of the proxy's own that reached the forwarder (the router sends them to the admin routes; this makes sure). */
  readonly answerAdminPath: (request: FastifyRequest, reply: FastifyReply) => void;
  /** Sources asked in order before forwarding (replay's fixtures, the mock); forwarding is the last source. */
  readonly answers?: readonly AnswerSource[] | undefined;
}

/** Every method the Ons API uses; the proxy answers others itself (405). */
export const FORWARDED_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;

// Only requests without a body can be sent again: a streamed body is consumed by the first try.
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);
const STALE_SOCKET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

// http-proxy's and reply-from's message (without a code) when a path has a ".." segment.
const TRAVERSAL_REFUSED = 'source/request contain invalid characters';

// Answers up to this size with a declared length are collected and sent in one write: a small
// JSON answer then costs the client one packet, and one that breaks off can still get a problem.
const BUFFERED_BODY_LIMIT = 64 * 1024;

// Reasons for statuses Node does not know, so clients see more than "unknown" when the upstream sent none.
const EXTRA_REASONS: Readonly<Record<number, string>> = { 495: 'SSL Certificate Error', 496: 'SSL Certificate Required', 499: 'Client Closed Request' };
// What Node accepts in a reason phrase (it throws on anything else).
const INVALID_REASON_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/** What reply-from hands onResponse (its types name the server's response instead). */
interface UpstreamResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly stream: Readable;
}

/** What reply-from hands retryDelay: its own request options, and the error of the attempt. */
interface RetryAttempt {
  readonly err?: Error;
  readonly req: { readonly method?: string; readonly body?: unknown };
  readonly attempt: number;
}

/**
 * Registers @fastify/http-proxy for every method and path that is not the proxy's own: the
 * client's path and raw query go upstream, the request body as a stream, the answer's status,
 * headers and body come back. Hop-by-hop headers stay on their side of the proxy.
 */
export async function registerForwarder(app: FastifyInstance, options: ForwarderOptions): Promise<void> {
  const headerAdjusters = options.features.filter((f) => f.adjustRequestHeaders);
  const responseObservers = options.features.filter((f) => f.observeUpstreamResponse);
  const fail = (reply: FastifyReply, error: Error): void => {
    // The client left first: the exchange is already reported as aborted, nobody is listening.
    if (isClientAbort(error) || reply.request.exchange.clientGone) return;
    // The proxy answered already (a request body it refused mid-stream): the upstream call was only cut off for that.
    if (reply.request.exchange.problem !== undefined) return;
    const failure = describeUpstreamFailure(error, options.upstream);
    reply.request.exchange.error = failure.cause;
    // Too late for a status once the head went out: fastify cuts the connection, so the client sees an error, not a short body.
    sendProblem(reply, failure);
  };
  const respond = (request: FastifyRequest, reply: FastifyReply, response: UpstreamResponse): void => {
    const body = response.stream;
    if (reply.sent || request.exchange.clientGone) {
      body.destroy();
      return;
    }
    const reason = reasonPhrase(response.statusCode, request.exchange.upstreamStatusText ?? '');
    if (reason !== undefined && reason !== STATUS_CODES[response.statusCode]) reply.raw.statusMessage = reason;
    for (const feature of responseObservers) feature.observeUpstreamResponse?.(request, reply);
    if (isSmall(request.method, response.headers)) {
      collect(body, (error, whole) => {
        if (error) {
          // Nothing reached the client yet: it gets a problem, without the upstream's headers.
          for (const name of Object.keys(response.headers)) if (name !== 'x-request-id') reply.removeHeader(name);
          reply.removeHeader('x-upstream-request-id');
          fail(reply, error);
        } else if (!request.exchange.clientGone) void reply.send(whole);
      });
      return;
    }
    body.on('data', countStreamed);
    body.once('error', (error: Error) => fail(reply, error));
    void reply.send(body);
  };

  // Bodies stream through unparsed, whatever their type (a JSON or text body is forwarded as
  // sent): the scope drops fastify's parsers, and http-proxy adds its pass-through for every type.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    answerEarly(scope, (request, reply) => {
      if (!isAdminPath(request.url)) return false;
      options.answerAdminPath(request, reply);
      return true;
    });
    const answers = options.answers ?? [];
    if (answers.length > 0) {
      // The last preHandler before forwarding: after the guards, the limiter and any blocking
      // (root hooks run first), so an answer from a source goes through the same pipeline.
      scope.addHook('preHandler', (request, reply, done) => {
        let answered: boolean | Promise<boolean>;
        try {
          answered = tryAnswerSources(answers, request, reply);
        } catch (error) {
          done(error as Error);
          return;
        }
        if (answered === false) done();
        else if (answered instanceof Promise) answered.then((yes) => (yes ? undefined : done()), (error: unknown) => done(error as Error));
      });
    }
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.statusCode === 400 && error.message === TRAVERSAL_REFUSED) {
        sendProblem(reply, {
          status: 400,
          code: 'path_not_forwarded',
          title: 'Path not forwarded',
          detail: `${request.url.split('?')[0]?.slice(0, 200)} has a ".." segment (or an encoded one): the proxy forwards no path that could climb out of the upstream's base path. Send the path with the segment resolved.`,
        });
        return;
      }
      throw error;
    });
    await scope.register(httpProxy, {
      upstream: options.upstream,
      // The proxy's dispatcher (certificate, verification, reload), seen per exchange.
      undici: new ExchangeDispatcher(options.dispatcher, options.features),
      disableRequestLogging: true,
      // Location headers belong to the upstream's URL space; rewriting them would change the API's answer.
      internalRewriteLocationHeader: false,
      httpMethods: [...FORWARDED_METHODS],
      replyOptions: {
        timeout: options.timeoutMs,
        // http-proxy re-serialises the query string; the client's bytes go instead.
        queryString: (_search, rawUrl) => rawQuery(rawUrl),
        retryDelay: (details) => retryDelay(details as unknown as RetryAttempt),
        rewriteRequestHeaders: (anyRequest, anyHeaders) => {
          const request = anyRequest as FastifyRequest;
          const headers = withoutHopByHop(anyHeaders as IncomingHttpHeaders);
          // fastify reads no body for a GET or HEAD; a length it did not read would not match what is sent.
          if (!(request.body instanceof Readable) && headers['content-length'] !== '0') delete headers['content-length'];
          for (const feature of headerAdjusters) feature.adjustRequestHeaders?.(request, headers);
          request.exchange.upstreamUrl = options.upstream + request.url;
          attachExchangeRequest(request, headers);
          return headers;
        },
        rewriteHeaders: (headers, request) => responseHeaders(headers as IncomingHttpHeaders, request as FastifyRequest | undefined),
        onResponse: (request, reply, response) => respond(request as FastifyRequest, reply as FastifyReply, response as unknown as UpstreamResponse),
        onError: (reply, { error }) => fail(reply as FastifyReply, error),
      },
    });
  });
}

function rawQuery(rawUrl: string): string {
  const index = rawUrl.indexOf('?');
  return index === -1 ? '' : rawUrl.slice(index + 1);
}

/** No retry on a status (503 included); one retry for a stale pooled socket, when the request has no body. */
function retryDelay({ err, req, attempt }: RetryAttempt): number | null {
  if (!err || attempt > 0 || !RETRYABLE_METHODS.has(req.method ?? '') || req.body instanceof Readable) return null;
  const code = (err as Error & { code?: string }).code ?? '';
  const causeCode = (err as Error & { cause?: { code?: string } }).cause?.code ?? '';
  return STALE_SOCKET_CODES.has(code) || STALE_SOCKET_CODES.has(causeCode) ? 1 : null;
}

function isSmall(method: string, headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return method === 'HEAD' || length === '0' || (length !== undefined && Number(length) <= BUFFERED_BODY_LIMIT && headers['content-type'] !== undefined);
}

function collect(body: Readable, done: (error: Error | undefined, whole: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  body.on('data', (chunk: Buffer) => chunks.push(chunk));
  body.once('error', (error: Error) => done(error, undefined));
  body.once('end', () => done(undefined, chunks.length === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
}

function countStreamed(chunk: Buffer): void {
  noteStreamedBytes(chunk.length);
}

/** The upstream's own reason phrase, or a name for a status Node does not know when the upstream gave none (Node servers say "Unknown"). */
function reasonPhrase(statusCode: number, statusMessage: string): string | undefined {
  const usable = statusMessage !== '' && !INVALID_REASON_CHAR.test(statusMessage);
  if (usable && statusMessage.toLowerCase() !== 'unknown') return statusMessage;
  return EXTRA_REASONS[statusCode] ?? (usable ? statusMessage : undefined);
}

/** The upstream's headers as the client gets them: hop-by-hop gone, the proxy's request id added (http-proxy cleans the values). */
function responseHeaders(upstreamHeaders: IncomingHttpHeaders, request: FastifyRequest | undefined): IncomingHttpHeaders {
  const headers = withoutHopByHop(upstreamHeaders);
  if (request) {
    const upstreamId = headers['x-request-id'];
    if (upstreamId !== undefined) headers['x-upstream-request-id'] = upstreamId;
    headers['x-request-id'] = request.id;
  }
  return headers;
}
