import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { isClientAbort } from './client-abort.js';
import type { ProxyFeature } from './feature.js';
import { withoutHopByHop } from './hop-by-hop.js';
import { sendProblem } from './problem.js';
import { UpstreamCall, type UpstreamCallOwner, type UpstreamHead } from './upstream-call.js';
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

// Reasons for statuses Node does not know, so clients see more than "unknown" when the upstream sent none.
const EXTRA_REASONS: Readonly<Record<number, string>> = { 495: 'SSL Certificate Error', 496: 'SSL Certificate Required', 499: 'Client Closed Request' };
// What Node accepts in a header value or reason phrase (it throws on anything else).
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
const INVALID_HEADER_CHARS = /[^\t\x20-\x7e\x80-\xff]/g;

interface Exchange {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/**
 * Sends every method and path that is not the proxy's own to the upstream, byte for byte:
 * the raw path and query, the request body as a stream, the answer's status, reason phrase,
 * headers and body. Hop-by-hop headers stay on their side of the proxy.
 */
export async function registerForwarder(app: FastifyInstance, options: ForwarderOptions): Promise<void> {
  const forwarder = new Forwarder(options);
  await app.register(async (scope) => {
    // Bodies stream through unparsed, whatever their type (a JSON body is forwarded as sent).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const handler = (request: FastifyRequest, reply: FastifyReply): void => forwarder.forward(request, reply);
    for (const url of ['/', '/*']) scope.route({ url, method: [...FORWARDED_METHODS], handler });
  });
}

class Forwarder implements UpstreamCallOwner<Exchange> {
  readonly #upstream: string;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #host: string;
  readonly #dispatcher: Dispatcher;
  readonly #timeoutMs: number;
  readonly #headerAdjusters: readonly ProxyFeature[];
  readonly #responseObservers: readonly ProxyFeature[];
  readonly #callWatchers: readonly ProxyFeature[];

  constructor(options: ForwarderOptions) {
    const target = new URL(options.upstream);
    this.#upstream = options.upstream;
    this.#origin = target.origin;
    this.#basePath = target.pathname.replace(/\/$/, '');
    this.#host = target.host;
    this.#dispatcher = options.dispatcher;
    this.#timeoutMs = options.timeoutMs;
    this.#headerAdjusters = options.features.filter((f) => f.adjustRequestHeaders);
    this.#responseObservers = options.features.filter((f) => f.observeUpstreamResponse);
    this.#callWatchers = options.features.filter((f) => f.onUpstreamCall);
  }

  forward(request: FastifyRequest, reply: FastifyReply): void {
    const exchange = request.exchange;
    // The client left while the request waited (for a slot, for its body): nothing to send.
    if (exchange.clientGone) return;
    const body = request.body instanceof Readable ? request.body : null;
    const headers = withoutHopByHop(request.headers);
    headers.host = this.#host;
    // fastify reads no body for a GET or HEAD; a length it did not read would not match what is sent.
    if (body === null && headers['content-length'] !== '0') delete headers['content-length'];
    for (const feature of this.#headerAdjusters) feature.adjustRequestHeaders?.(request, headers);
    exchange.upstreamUrl = this.#upstream + request.url;
    const call = new UpstreamCall<Exchange>(
      this.#dispatcher,
      {
        origin: this.#origin,
        // request.url is the client's path and query as sent (origin-form): no re-encoding.
        path: this.#basePath + request.url,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      },
      this,
      { request, reply },
    );
    exchange.upstreamCall = call;
    call.start();
  }

  respond({ request, reply }: Exchange, head: UpstreamHead, body: Readable | Buffer | undefined): void {
    if (request.exchange.clientGone) {
      if (body instanceof Readable) body.destroy();
      return;
    }
    try {
      reply.code(head.statusCode);
    } catch {
      sendProblem(reply, describeUpstreamFailure(Object.assign(new Error(`invalid status code ${head.statusCode}`), { code: 'UND_ERR_RESPONSE_STATUS_CODE' }), this.#upstream));
      if (body instanceof Readable) body.destroy();
      return;
    }
    const reason = reasonPhrase(head);
    if (reason !== undefined && reason !== STATUS_CODES[head.statusCode]) reply.raw.statusMessage = reason;
    reply.headers(responseHeaders(head.headers, request.id));
    // An HTTP/1 connection cannot be reused while the client is still sending a body nobody reads.
    if (!request.raw.complete) reply.header('connection', 'close');
    for (const feature of this.#responseObservers) feature.observeUpstreamResponse?.(request, reply);
    void reply.send(body);
  }

  fail({ request, reply }: Exchange, error: Error, responseStarted: boolean): void {
    // The client left first: the exchange is already reported as aborted, nobody is listening.
    if (isClientAbort(error) || request.exchange.clientGone) return;
    // The proxy answered already (a request body it refused mid-stream): the upstream call was only cut off for that.
    if (request.exchange.problem !== undefined) return;
    const failure = describeUpstreamFailure(error, this.#upstream);
    request.exchange.error = failure.cause;
    // A stream that broke off after its head went out: fastify cuts the connection, so the client sees an error, not a short body.
    if (responseStarted) return;
    sendProblem(reply, failure);
  }

  dispatched({ request }: Exchange): () => void {
    const ends: Array<() => void> = [];
    for (const feature of this.#callWatchers) {
      const ended = feature.onUpstreamCall?.(request);
      if (ended) ends.push(ended);
    }
    return () => {
      for (const ended of ends) ended();
    };
  }

  /** No retry on a status (503 included); one retry for a stale pooled socket, when the request has no body. */
  mayRetry({ request }: Exchange, error: Error, attempt: number): boolean {
    if (attempt > 0 || !RETRYABLE_METHODS.has(request.method) || request.body instanceof Readable) return false;
    const code = (error as Error & { code?: string }).code ?? '';
    const causeCode = (error as Error & { cause?: { code?: string } }).cause?.code ?? '';
    return STALE_SOCKET_CODES.has(code) || STALE_SOCKET_CODES.has(causeCode);
  }
}

/** The upstream's own reason phrase, or a name for a status Node does not know when the upstream gave none (Node servers say "Unknown"). */
function reasonPhrase({ statusCode, statusMessage }: UpstreamHead): string | undefined {
  const usable = statusMessage !== '' && !INVALID_HEADER_CHAR.test(statusMessage);
  if (usable && statusMessage.toLowerCase() !== 'unknown') return statusMessage;
  return EXTRA_REASONS[statusCode] ?? (usable ? statusMessage : undefined);
}

/** The upstream's headers as the client gets them: hop-by-hop gone, values Node would refuse cleaned, the proxy's request id added. */
function responseHeaders(upstreamHeaders: IncomingHttpHeaders, requestId: string): IncomingHttpHeaders {
  const headers = withoutHopByHop(upstreamHeaders);
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === 'string') {
      if (INVALID_HEADER_CHAR.test(value)) headers[name] = value.replace(INVALID_HEADER_CHARS, '');
    } else if (Array.isArray(value)) {
      headers[name] = value.map((item) => item.replace(INVALID_HEADER_CHARS, ''));
    }
  }
  const upstreamId = headers['x-request-id'];
  if (upstreamId !== undefined) headers['x-upstream-request-id'] = upstreamId;
  headers['x-request-id'] = requestId;
  return headers;
}
