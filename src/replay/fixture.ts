// A fixture: one recorded exchange as a small file people commit and read in a diff. Made
// from a traffic record or a HAR entry; the fixture server answers from it.
import { JsonBody } from '../traffic/json-body.js';
import { numbersSurviveParse } from '../traffic/lossless.js';
import { createRedactor } from '../traffic/redact.js';
import type { HarInputEntry } from './har-input.js';
import type { RecordHeaders, TrafficMessage, TrafficRecord } from '../traffic/record.js';

export type FixtureBodyEncoding = 'json' | 'text' | 'base64';

/**
 * A body as a fixture file holds it. A JSON body is its value, readable in a diff; where the
 * value alone would not give back the bytes the API sent (spacing, escapes, 1.0) `bodyText`
 * beside it holds them, and where the value itself cannot be held (an int64 id above 2^53)
 * `bodyText` stands instead of it. Sets written before bodyText existed hold values only.
 */
export interface FixtureMessageBody {
  /** json: the JSON value; text: a string; base64: the bytes in base64. */
  readonly body?: unknown;
  /** json only: the body's own text, when it differs from JSON.stringify(body) or when no value can hold it. */
  readonly bodyText?: string;
  readonly bodyEncoding: FixtureBodyEncoding;
}

export interface FixtureRequest extends FixtureMessageBody {
  readonly method: string;
  /** The path without the query, as the client sent it. */
  readonly path: string;
  /** Query parameters by name; a repeated parameter holds its values in order. */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /** Only the request headers that change what the API answers. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface FixtureResponse extends FixtureMessageBody {
  readonly status: number;
  readonly headers: RecordHeaders;
}

/** What to leave out when matching this fixture, on top of the command line's ignores. */
export interface FixtureMatchOptions {
  readonly ignoreQuery?: readonly string[];
  readonly ignoreBodyFields?: readonly string[];
}

export interface Fixture {
  /** Where it came from: the record's id (the x-request-id), or har:<digest> for a HAR from another tool. */
  readonly source: {
    readonly id: string;
    readonly time: string;
    readonly durationMs: number;
    /** The URL the API was reached at, when known. */
    readonly upstreamUrl?: string;
    /** The API operation, when the record names one (an OpenAPI document was loaded). */
    readonly operation?: string;
  };
  readonly request: FixtureRequest;
  readonly response: FixtureResponse;
  readonly match?: FixtureMatchOptions;
}

/** Request headers that can change the answer; the rest (host, user-agent, tracing) would only make diffs noisy. */
const MEANINGFUL_REQUEST_HEADERS = ['accept', 'content-type', 'x-cupido-user-name', 'x-cupido-active-identity'];

/**
 * Response headers a replay must not repeat: they describe the recorded connection and
 * bytes (the fixture holds the decoded body), or they are the proxy's own.
 */
const CONNECTION_RESPONSE_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'x-request-id', 'x-upstream-request-id']);

/** The response header a replayed answer carries: the fixture it came from, or "fallthrough". */
export const REPLAY_HEADER = 'x-ons-proxy-replay';
export const FALLTHROUGH_MARK = 'fallthrough';

/** Why an exchange cannot become a fixture, said to the user. */
export interface Unsaveable {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly reason: 'cut' | 'omitted' | 'not-answered' | 'replayed' | 'no-content';
  readonly detail: string;
}

export type Conversion = { readonly fixture: Fixture } | { readonly unsaveable: Unsaveable };

/** The id of the record's operation (ClientAPI.byId), when an API document named one. */
export function operationOf(record: TrafficRecord): string | undefined {
  return record.operation?.id;
}

export function fixtureFromRecord(record: TrafficRecord): Conversion {
  const skip = (reason: Unsaveable['reason'], detail: string): Conversion => ({ unsaveable: { id: record.id, method: record.method, url: record.url, reason, detail } });
  const replayMark = headerText(record.response.headers[REPLAY_HEADER]);
  if (replayMark !== undefined && replayMark !== FALLTHROUGH_MARK) return skip('replayed', `answered by a replay (${REPLAY_HEADER}: ${replayMark}), not by the API`);
  if (record.upstreamUrl === undefined || record.status === 0 || record.error !== undefined || record.aborted) {
    return skip('not-answered', record.error ? `the API did not answer (${record.error.code})` : record.aborted ? 'the client left before the answer was complete' : 'the proxy answered it itself');
  }
  for (const [side, message] of [['request', record.request], ['response', record.response]] as const) {
    if (message.bodyEncoding === 'omitted') return skip('omitted', `its ${side} body was not recorded (ONS_PROXY_LOG_BODIES=false)`);
    if (message.bodyTruncated) return skip('cut', `its ${side} body was cut at the body limit: ${message.bodyBytes} bytes on the wire`);
  }
  const { path, query } = splitUrl(record.url);
  const operation = operationOf(record);
  return {
    fixture: {
      source: { id: record.id, time: record.time, durationMs: Math.max(0, record.durationMs - record.queuedMs), upstreamUrl: record.upstreamUrl, ...(operation ? { operation } : {}) },
      request: { method: record.method, path, query, headers: meaningfulHeaders(record.request.headers), ...recordBody(record.request) },
      response: { status: record.status, headers: replayableHeaders(record.response.headers), ...recordBody(record.response) },
    },
  };
}

export function fixtureFromHarEntry(entry: HarInputEntry, digest: string): Conversion {
  const url = new URL(entry.request.url);
  const id = entry._id ?? `har:${digest}`;
  const skip = (reason: Unsaveable['reason'], detail: string): Conversion => ({ unsaveable: { id, method: entry.request.method, url: url.pathname + url.search, reason, detail } });
  if (entry.response.status === 0) return skip('not-answered', 'the HAR entry has no answer (status 0)');
  const content = entry.response.content;
  if (content.text === undefined && (content.size ?? 0) > 0) return skip('no-content', 'the HAR holds no response body for it (the tool did not save the content)');
  if (content.comment?.includes('ONS_PROXY_LOG_BODY_LIMIT')) return skip('cut', 'its response body was cut at the body limit');
  const requestHeaders = harHeaders(entry.request.headers);
  const responseHeaders = harHeaders(entry.response.headers);
  // A browser's HAR holds the credentials in clear: an answer (or URL) that echoes them must not keep them.
  const credentials = HAR_REDACTOR.credentials(requestHeaders);
  const { path, query } = splitUrl(credentials?.url(url.pathname + url.search) ?? url.pathname + url.search);
  const requestType = entry.request.postData?.mimeType ?? headerText(requestHeaders['content-type']);
  const requestBody = entry.request.postData?.comment === 'text is base64'
    ? { body: entry.request.postData.text, bodyEncoding: 'base64' as const }
    : textBody(entry.request.postData?.text ?? '', requestType);
  const text = (value: string): string => credentials?.text(value) ?? value;
  const responseBody = content.encoding === 'base64' ? { body: content.text ?? '', bodyEncoding: 'base64' as const } : textBody(text(content.text ?? ''), content.mimeType);
  const maskedHeaders: RecordHeaders = {};
  for (const [name, value] of Object.entries(replayableHeaders(responseHeaders))) maskedHeaders[name] = Array.isArray(value) ? value.map(text) : text(value as string);
  return {
    fixture: {
      source: { id, time: entry.startedDateTime, durationMs: Math.max(0, (entry.time ?? 0) - Math.max(0, entry.timings?.blocked ?? 0)), upstreamUrl: credentials?.url(url.href) ?? url.href },
      request: { method: entry.request.method.toUpperCase(), path, query, headers: meaningfulHeaders(requestHeaders), ...requestBody },
      response: { status: entry.response.status, headers: maskedHeaders, ...responseBody },
    },
  };
}

/** Only the always-masked credential headers: a HAR comes with no configuration of its own. */
const HAR_REDACTOR = createRedactor({ redactHeaders: [], redactFields: [] });

/** The bytes of a fixture's body, as the client gets them: the recorded text, or the value as compact text (older sets). */
export function bodyBytes(message: FixtureMessageBody): Buffer {
  if (message.bodyEncoding === 'base64') return Buffer.from(String(message.body), 'base64');
  if (message.bodyEncoding === 'json') return Buffer.from(message.bodyText ?? JSON.stringify(message.body));
  return Buffer.from(String(message.body ?? ''));
}

/**
 * A JSON body's value, for comparing request bodies. Parsed from bodyText when no value is
 * held: both sides of a comparison are parsed alike, so ids above 2^53 compare as equal only
 * when they share their nearest double, which distinct recorded ids practically never do.
 */
export function fixtureBodyValue(message: FixtureMessageBody): unknown {
  if (message.body !== undefined || message.bodyText === undefined) return message.body;
  return JSON.parse(message.bodyText) as unknown;
}

/** How a fixture holds a JSON text (see FixtureMessageBody); text that is not JSON stays text. */
export function jsonFixtureBody(text: string): FixtureMessageBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { body: text, bodyEncoding: 'text' };
  }
  if (!numbersSurviveParse(text)) return { bodyText: text, bodyEncoding: 'json' };
  return JSON.stringify(value) === text ? { body: value, bodyEncoding: 'json' } : { body: value, bodyText: text, bodyEncoding: 'json' };
}

export function splitUrl(url: string): { path: string; query: Record<string, string | string[]> } {
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const query: Record<string, string | string[]> = {};
  if (mark !== -1) {
    for (const [name, value] of new URLSearchParams(url.slice(mark + 1))) {
      const earlier = query[name];
      query[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
    }
  }
  return { path, query };
}

export function headerText(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

function recordBody(message: TrafficMessage): FixtureMessageBody {
  if (message.body instanceof JsonBody) return jsonFixtureBody(message.body.text.toString('utf8'));
  if (message.bodyEncoding === 'json' || message.bodyEncoding === 'base64') return { body: message.body, bodyEncoding: message.bodyEncoding };
  return { body: typeof message.body === 'string' ? message.body : '', bodyEncoding: 'text' };
}

function textBody(text: string, contentType: string | undefined): FixtureMessageBody {
  if (text !== '' && contentType !== undefined && /[/+]json\b/i.test(contentType)) return jsonFixtureBody(text);
  return { body: text, bodyEncoding: 'text' };
}

function meaningfulHeaders(headers: RecordHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of MEANINGFUL_REQUEST_HEADERS) {
    const value = headerText(headers[name]);
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

function replayableHeaders(headers: RecordHeaders): RecordHeaders {
  const kept: RecordHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!CONNECTION_RESPONSE_HEADERS.has(name) && name !== REPLAY_HEADER) kept[name] = value;
  }
  return kept;
}

/** HAR headers (a list, any case, HTTP/2 pseudo-headers included) as record headers. */
function harHeaders(list: ReadonlyArray<{ name: string; value: string }>): RecordHeaders {
  const headers: RecordHeaders = {};
  for (const { name, value } of list) {
    if (name.startsWith(':')) continue;
    const key = name.toLowerCase();
    const earlier = headers[key];
    headers[key] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  return headers;
}
