// The plain facts of one exchange, taken at the moment it completes: what the record is built
// from, and nothing that ties it to the live fastify request and reply. Taking them is all the
// recording does on the answer's path; building, redacting, checking, serialising and writing
// the record happen afterwards, in the instance's recording pipeline (recording-pipeline.ts).
import type { IncomingHttpHeaders } from 'node:http';
import type { CompletedExchange } from '../proxy/exchange.js';
import { problemBody } from '../proxy/problem.js';
import { BodyCapture } from './body-capture.js';
import type { TrafficRecord } from './record.js';
import { refusalKind } from './repeated-refusals.js';

export type ResponseHeaders = Record<string, string | number | string[] | undefined>;

/** The taps of one exchange's bodies, filled by the recorder's hooks while the exchange runs. */
export interface ExchangeBodies {
  request: BodyCapture | undefined;
  response: BodyCapture | undefined;
  /** The response headers as the reply held them just before sending. */
  responseHeaders: ResponseHeaders | undefined;
}

export interface ExchangeFacts {
  readonly id: string;
  /** Wall-clock arrival (ms since the epoch). */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly queuedMs: number;
  readonly method: string;
  /** As the client sent it; redacted when the record is built. */
  readonly url: string;
  readonly upstreamUrl: string | undefined;
  /** 0 when the client got no status line at all (it left first). */
  readonly status: number;
  readonly hint: string | undefined;
  readonly answeredBy: TrafficRecord['answeredBy'];
  readonly error: { readonly code: string; readonly message: string } | undefined;
  readonly aborted: boolean;
  readonly requestHeaders: IncomingHttpHeaders;
  readonly responseHeaders: ResponseHeaders;
  readonly requestBody: BodyCapture | undefined;
  readonly responseBody: BodyCapture | undefined;
  /** Set for a guard's refusal: identical ones are summed up into one record (repeated-refusals.ts). */
  readonly refusalKind: string | undefined;
}

/**
 * The facts of a completed exchange. The objects it holds (the request's header object, the
 * body captures) are never written to after the exchange ends, so they are kept as they are,
 * not copied.
 */
export function takeExchangeFacts(completed: CompletedExchange, bodies: ExchangeBodies, bodyLimit: number): ExchangeFacts {
  const { request, reply, exchange, aborted } = completed;
  const headersSent = reply.raw.headersSent;
  let responseHeaders = bodies.responseHeaders;
  let responseBody = bodies.response;
  // A request target fastify's router refuses ("/%zz") is answered before any hook: the onSend
  // tap never saw the answer. The proxy wrote it itself; its headers are still on the reply,
  // and its body is the problem document.
  if (responseHeaders === undefined && headersSent) {
    responseHeaders = reply.getHeaders();
    if (exchange.problem !== undefined) {
      responseBody = new BodyCapture(bodyLimit);
      responseBody.add(problemBody(exchange.problem, exchange.id));
    }
  }
  return {
    id: exchange.id,
    startedAt: exchange.startedAt,
    durationMs: completed.durationMs,
    queuedMs: exchange.queuedMs,
    method: request.method,
    url: request.url,
    upstreamUrl: exchange.upstreamUrl,
    // Before any header went out the client got no status at all (HAR uses 0 for that too).
    status: headersSent ? completed.status : 0,
    hint: exchange.hint,
    // A problem the proxy sent itself (a guard, an unreachable upstream) is the proxy's answer.
    answeredBy: exchange.answeredBy ?? (exchange.problem === undefined ? undefined : 'proxy'),
    error: exchange.error ? { code: exchange.error.code, message: exchange.error.message } : undefined,
    aborted,
    requestHeaders: request.headers,
    // fastify hands its headers to writeHead at once, so the raw response holds only what was set on it directly.
    responseHeaders: { ...responseHeaders, ...reply.raw.getHeaders() },
    requestBody: bodies.request,
    responseBody,
    refusalKind: refusalKind(completed),
  };
}
