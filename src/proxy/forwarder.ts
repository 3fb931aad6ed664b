import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import httpProxy from '@fastify/http-proxy';
import type { Dispatcher } from 'undici';
import { attachExchangeRequest, cancellingRequester, isClientAbort, watchForClientAbort } from './client-abort.js';
import type { ProxyFeature } from './feature.js';
import { stripHopByHop } from './hop-by-hop.js';
import { sendProblem } from './problem.js';
import { describeUpstreamFailure } from './upstream-errors.js';

export interface ForwarderOptions {
  readonly upstream: string;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly features: readonly ProxyFeature[];
}

/** Every method the Ons API uses; the proxy answers others itself (405). */
export const FORWARDED_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;

// Only requests without a body can be sent again: a streamed body is consumed by the first try.
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);
const STALE_SOCKET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

// Reasons for statuses Node does not know, so clients see more than "unknown".
const EXTRA_REASONS: Readonly<Record<number, string>> = { 495: 'SSL Certificate Error', 496: 'SSL Certificate Required', 499: 'Client Closed Request' };

/** Registers @fastify/http-proxy so that every method and path goes to the upstream, byte for byte. */
export async function registerForwarder(app: FastifyInstance, options: ForwarderOptions): Promise<void> {
  const headerAdjusters = options.features.filter((f) => f.adjustRequestHeaders);
  const bodyObservers = options.features.filter((f) => f.observeResponseBody);
  await app.register(httpProxy, {
    upstream: options.upstream,
    // Cancels the upstream request when the client goes away (see client-abort.ts).
    undici: cancellingRequester(options.dispatcher),
    preHandler: watchForClientAbort,
    disableRequestLogging: true,
    // Location headers belong to the upstream's URL space; rewriting them would change the API's answer.
    internalRewriteLocationHeader: false,
    httpMethods: [...FORWARDED_METHODS],
    replyOptions: {
      timeout: options.timeoutMs,
      // http-proxy re-serialises the query string; send the client's bytes instead.
      queryString: (_search, rawUrl) => rawQuery(rawUrl),
      retryDelay: ({ err, req, attempt }) => retryDelay(err, req as unknown as { method?: string; body?: unknown }, attempt),
      rewriteRequestHeaders: (anyRequest, headers) => {
        const request = http1(anyRequest);
        const outgoing = stripHopByHop(headers as IncomingHttpHeaders);
        for (const feature of headerAdjusters) feature.adjustRequestHeaders?.(request, outgoing);
        request.exchange.upstreamUrl = options.upstream + request.url;
        attachExchangeRequest(request, outgoing);
        return outgoing;
      },
      rewriteHeaders: (headers, request) => rewriteResponseHeaders(headers as IncomingHttpHeaders, request && http1(request)),
      onResponse: (anyRequest, anyReply, response) => {
        const request = http1(anyRequest);
        const reply = http1Reply(anyReply);
        const reason = EXTRA_REASONS[reply.statusCode];
        if (reason !== undefined && STATUS_CODES[reply.statusCode] === undefined) reply.raw.statusMessage = reason;
        // Headers are sent by then: a body that breaks off aborts the client connection (fastify
        // destroys it), and the exchange must say why before it is reported on 'close'.
        response.stream.once('error', (error: Error) => {
          if (!isClientAbort(error)) request.exchange.error ??= describeUpstreamFailure(error, options.upstream).cause;
        });
        for (const feature of bodyObservers) feature.observeResponseBody?.(request, reply, response.stream);
        void reply.send(response.stream);
      },
      onError: (anyReply, { error }) => {
        const reply = http1Reply(anyReply);
        // The client left first: the exchange is already reported as aborted, nobody is listening.
        if (isClientAbort(error)) return;
        const failure = describeUpstreamFailure(error, options.upstream);
        reply.request.exchange.error = failure.cause;
        if (reply.raw.headersSent) {
          // Too late for a status: cut the connection so the client sees an error, not a short body.
          reply.raw.destroy(error);
          return;
        }
        sendProblem(reply, failure);
      },
    },
  });
}

// reply-from types its hooks for HTTP/1 and HTTP/2 servers alike; this server is HTTP/1 only.
function http1(request: unknown): FastifyRequest {
  return request as FastifyRequest;
}
function http1Reply(reply: unknown): FastifyReply {
  return reply as FastifyReply;
}

function rawQuery(rawUrl: string): string {
  const index = rawUrl.indexOf('?');
  return index === -1 ? '' : rawUrl.slice(index + 1);
}

/** No retry on 503 (reply-from's default retries GET ten times); one retry for a stale pooled socket. */
function retryDelay(error: Error | undefined, request: { method?: string; body?: unknown }, attempt: number): number | null {
  if (!error || attempt > 0) return null;
  const code = (error as Error & { code?: string }).code ?? '';
  const causeCode = ((error as Error & { cause?: { code?: string } }).cause?.code) ?? '';
  if (!STALE_SOCKET_CODES.has(code) && !STALE_SOCKET_CODES.has(causeCode)) return null;
  if (!RETRYABLE_METHODS.has(request.method ?? '') || hasBody(request.body)) return null;
  return 1;
}

function hasBody(body: unknown): boolean {
  return body !== undefined && body !== null && body !== '';
}

function rewriteResponseHeaders(headers: IncomingHttpHeaders, request: FastifyRequest | undefined): IncomingHttpHeaders {
  stripHopByHop(headers);
  if (request) {
    const upstreamId = headers['x-request-id'];
    if (upstreamId !== undefined) headers['x-upstream-request-id'] = upstreamId;
    headers['x-request-id'] = request.id;
  }
  return headers;
}
