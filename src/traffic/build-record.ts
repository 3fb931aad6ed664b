import type { IncomingHttpHeaders } from 'node:http';
import type { BodyCapture } from './body-capture.js';
import { describeBody, type DescribedBody } from './body-decode.js';
import { JsonBody } from './json-body.js';
import { mayHoldUnsafeNumbers, parseLossless, stringifyLossless } from './lossless.js';
import { checkWhole } from './json-text.js';
import type { RecordHeaders, TrafficMessage, TrafficRecord } from './record.js';
import type { CredentialMask, Redactor } from './redact.js';
import type { ExchangeFacts, ResponseHeaders } from './exchange-facts.js';
import type { JsonCheckThread } from './json-check-thread.js';

export interface RecordContext {
  readonly profile: string;
  readonly tag: string | undefined;
  readonly logBodies: boolean;
  readonly bodyLimit: number;
  readonly redactor: Redactor;
  /** The pipeline's thread for large JSON bodies (none: they are checked a slice per turn). */
  readonly checkThread?: JsonCheckThread | undefined;
}

/**
 * Builds the one record of an exchange from its facts. Only decompressing a body, or checking
 * a large JSON body on the check thread, waits: only then is the result a promise.
 */
export function buildRecord(facts: ExchangeFacts, context: RecordContext): TrafficRecord | Promise<TrafficRecord> {
  const { id, upstreamUrl, hint } = facts;
  const time = new Date(facts.startedAt).toISOString();
  const durationMs = roundMs(facts.durationMs);
  const queuedMs = roundMs(facts.queuedMs);
  // One literal in the order the file shows, rather than optional parts spread together
  // (a tenth of the cost of recording an exchange): JSON.stringify leaves out what is undefined.
  const assemble = (requestMessage: TrafficMessage, responseMessage: TrafficMessage): TrafficRecord => ({
    id,
    time,
    durationMs,
    method: facts.method,
    url: recordedUrl(facts.url, context.redactor),
    upstreamUrl: upstreamUrl === undefined ? undefined : recordedUrl(upstreamUrl, context.redactor),
    status: facts.status,
    profile: context.profile,
    tag: context.tag,
    queuedMs,
    hint,
    // Filled in from the record's annotations (the API document), before any sink sees it.
    operation: undefined,
    findings: undefined,
    notChecked: undefined,
    answeredBy: facts.answeredBy,
    request: requestMessage,
    response: responseMessage,
    error: facts.error,
    aborted: facts.aborted ? true : undefined,
  });
  // An echo service, or an error text quoting the request, hands the client's credentials back.
  const credentials = context.redactor.credentials(facts.requestHeaders);
  const finish = (requestMessage: TrafficMessage, responseMessage: TrafficMessage): TrafficRecord => {
    const record = assemble(requestMessage, responseMessage);
    return credentials ? withoutCredentials(record, credentials) : record;
  };
  const requestMessage = describeMessage(facts.requestHeaders, facts.requestBody, context);
  const responseMessage = describeMessage(facts.responseHeaders, facts.responseBody, context);
  if (requestMessage instanceof Promise || responseMessage instanceof Promise) {
    return Promise.all([requestMessage, responseMessage]).then(([requestDone, responseDone]) => finish(requestDone, responseDone));
  }
  return finish(requestMessage, responseMessage);
}

/** The record with the exchange's credentials masked in its URLs, headers, bodies and error. */
function withoutCredentials(record: TrafficRecord, mask: CredentialMask): TrafficRecord {
  const message = (original: TrafficMessage): TrafficMessage => {
    const headers: RecordHeaders = {};
    for (const [name, value] of Object.entries(original.headers)) headers[name] = Array.isArray(value) ? value.map(mask.text) : mask.text(value as string);
    return { ...original, headers, ...maskedBody(original, mask) };
  };
  return {
    ...record,
    url: mask.url(record.url),
    upstreamUrl: record.upstreamUrl === undefined ? undefined : mask.url(record.upstreamUrl),
    request: message(record.request),
    response: message(record.response),
    error: record.error ? { ...record.error, message: mask.text(record.error.message) } : undefined,
  };
}

/**
 * A base64 body is left as it is: its bytes are binary, or in an encoding the proxy does not
 * read. A JSON text that masking would break (a credential written as a number) becomes text.
 */
function maskedBody(message: TrafficMessage, mask: CredentialMask): Partial<Pick<TrafficMessage, 'body' | 'bodyEncoding'>> {
  const { body, bodyEncoding } = message;
  if (body === undefined) return {};
  if (body instanceof JsonBody) {
    const masked = mask.bytes(body.text);
    if (masked === body.text) return { body, bodyEncoding };
    return checkWhole(masked).valid ? { body: new JsonBody(masked), bodyEncoding } : { body: masked.toString('utf8'), bodyEncoding: 'text' };
  }
  if (bodyEncoding === 'json') return { body: mask.json(body), bodyEncoding };
  if (bodyEncoding === 'text' && typeof body === 'string') return { body: mask.text(body), bodyEncoding };
  return { body, bodyEncoding };
}

export function describeMessage(
  headers: IncomingHttpHeaders | ResponseHeaders,
  capture: BodyCapture | undefined,
  context: RecordContext,
): TrafficMessage | Promise<TrafficMessage> {
  const redactedHeaders = context.redactor.headers(headers);
  const bodyBytes = capture?.totalBytes ?? 0;
  if (!context.logBodies) return { headers: redactedHeaders, bodyBytes, bodyTruncated: false, bodyEncoding: 'omitted' };
  if (!capture || bodyBytes === 0) return { headers: redactedHeaders, body: '', bodyBytes, bodyTruncated: false, bodyEncoding: 'text' };
  const described = describeBody({
    bytes: capture.bytes(),
    truncated: capture.truncated,
    contentType: headerText(headers['content-type']),
    contentEncoding: headerText(headers['content-encoding']),
    limit: context.bodyLimit,
    checkThread: context.checkThread,
  });
  const redacted = (body: DescribedBody): TrafficMessage => {
    const unchecked = context.redactor.masksFields ? uncheckableReason(body) : undefined;
    if (unchecked !== undefined) return { headers: redactedHeaders, bodyBytes, bodyTruncated: body.truncated, bodyEncoding: 'omitted', bodyNote: unchecked };
    return {
      headers: redactedHeaders,
      body: body.body instanceof JsonBody ? redactedJson(body.body, context.redactor) : body.bodyEncoding === 'text' ? context.redactor.text(body.body as string) : body.body,
      bodyBytes,
      bodyTruncated: body.truncated,
      bodyEncoding: body.bodyEncoding,
      bodyNote: body.note,
    };
  };
  return described instanceof Promise ? described.then(redacted) : redacted(described);
}

/**
 * Masking fields needs the value (parsed once, here); without fields to mask the body stays as
 * its bytes. A body with numbers JSON.parse would change (int64 ids) is parsed losslessly.
 */
function redactedJson(body: JsonBody, redactor: Redactor): unknown {
  if (!redactor.masksFields) return body;
  const text = body.text.toString('utf8');
  if (!mayHoldUnsafeNumbers(text)) return redactor.json(body.value);
  return new JsonBody(Buffer.from(stringifyLossless(redactor.json(parseLossless(text)))));
}

/**
 * With fields to mask, a body the redactor cannot read in full might hold them in clear: it
 * is left out of the record (its size stays), rather than stored unchecked.
 */
function uncheckableReason(body: DescribedBody): string | undefined {
  const fields = 'so it could not be checked for the fields in ONS_PROXY_REDACT_FIELDS';
  if (body.truncated) return `Not recorded: the body was cut at ONS_PROXY_LOG_BODY_LIMIT, ${fields}; raise the limit to record it.`;
  if (body.bodyEncoding === 'base64') return `Not recorded: the body is binary, or in a content encoding the proxy does not decode, ${fields}.`;
  return undefined;
}

/** Floods of long URLs would fill the traffic file and the inspector; any real API URL is far shorter. */
export const MAX_RECORDED_URL_LENGTH = 4096;

export function recordedUrl(url: string, redactor: Redactor): string {
  const masked = redactor.url(url);
  if (masked.length <= MAX_RECORDED_URL_LENGTH) return masked;
  return `${masked.slice(0, MAX_RECORDED_URL_LENGTH)}[... cut: ${masked.length} characters in all]`;
}

function headerText(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
