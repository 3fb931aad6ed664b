import type { IncomingHttpHeaders } from 'node:http';
import type { CompletedExchange } from '../proxy/exchange.js';
import type { BodyCapture } from './body-capture.js';
import { describeBody } from './body-decode.js';
import type { TrafficMessage, TrafficRecord } from './record.js';
import type { Redactor } from './redact.js';

export interface RecordContext {
  readonly profile: string;
  readonly tag: string | undefined;
  readonly logBodies: boolean;
  readonly bodyLimit: number;
  readonly redactor: Redactor;
}

export interface ExchangeBodies {
  request: BodyCapture | undefined;
  response: BodyCapture | undefined;
  /** The response headers as the reply held them just before sending. */
  responseHeaders: ResponseHeaders | undefined;
}

export type ResponseHeaders = Record<string, string | number | string[] | undefined>;

/**
 * Builds the one record of an exchange. What the exchange knows is read at once (the
 * caller runs this as the exchange completes); only the body decoding waits.
 */
export async function buildRecord(completed: CompletedExchange, bodies: ExchangeBodies, context: RecordContext): Promise<TrafficRecord> {
  const { request, reply, exchange, aborted } = completed;
  const responseHeaders = { ...bodies.responseHeaders, ...reply.raw.getHeaders() };
  const headersSent = reply.raw.headersSent;
  const head = {
    id: exchange.id,
    time: new Date(exchange.startedAt).toISOString(),
    durationMs: roundMs(completed.durationMs),
    method: request.method,
    url: request.url,
    ...(exchange.upstreamUrl !== undefined ? { upstreamUrl: exchange.upstreamUrl } : {}),
    // Before any header went out the client got no status at all (HAR uses 0 for that too).
    status: headersSent ? completed.status : 0,
    profile: context.profile,
    ...(context.tag !== undefined ? { tag: context.tag } : {}),
    queuedMs: roundMs(exchange.queuedMs),
    ...(exchange.hint !== undefined ? { hint: exchange.hint } : {}),
  };
  const error = exchange.error ? { code: exchange.error.code, message: exchange.error.message } : undefined;
  const [requestMessage, responseMessage] = await Promise.all([
    describeMessage(request.headers, bodies.request, context),
    describeMessage(responseHeaders, bodies.response, context),
  ]);
  return {
    ...head,
    request: requestMessage,
    response: responseMessage,
    ...(error ? { error } : {}),
    ...(aborted ? { aborted: true as const } : {}),
  };
}

async function describeMessage(
  headers: IncomingHttpHeaders | ResponseHeaders,
  capture: BodyCapture | undefined,
  context: RecordContext,
): Promise<TrafficMessage> {
  const redactedHeaders = context.redactor.headers(headers);
  const bodyBytes = capture?.totalBytes ?? 0;
  if (!context.logBodies) return { headers: redactedHeaders, bodyBytes, bodyTruncated: false, bodyEncoding: 'omitted' };
  if (!capture || bodyBytes === 0) return { headers: redactedHeaders, body: '', bodyBytes, bodyTruncated: false, bodyEncoding: 'text' };
  const described = await describeBody({
    bytes: capture.bytes(),
    truncated: capture.truncated,
    contentType: headerText(headers['content-type']),
    contentEncoding: headerText(headers['content-encoding']),
    limit: context.bodyLimit,
  });
  const body =
    described.bodyEncoding === 'json'
      ? context.redactor.json(described.body)
      : described.bodyEncoding === 'text'
        ? context.redactor.text(described.body as string)
        : described.body;
  return { headers: redactedHeaders, body, bodyBytes, bodyTruncated: described.truncated, bodyEncoding: described.bodyEncoding };
}

function headerText(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
