// Traffic records as HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the format
// Chrome DevTools, Firefox, Insomnia and Postman import. Fields HAR has no place for travel
// as custom fields, which HAR allows when their names start with an underscore.
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { RecordFinding, RecordHeaders, RecordOperation, TrafficMessage, TrafficRecord } from './record.js';

interface HarNameValue {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; text: string; params?: HarNameValue[]; comment?: string };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string; encoding?: string; comment?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { blocked: number; dns: number; connect: number; send: number; wait: number; receive: number; ssl: number };
  comment?: string;
  _id: string;
  _profile: string;
  _tag?: string;
  _error?: { code: string; message: string };
  _aborted?: true;
  _hint?: string;
  _operation?: RecordOperation;
  _findings?: RecordFinding[];
}

const VERSION = readPackageVersion();

export function harCreator(): { name: string; version: string } {
  return { name: 'ons-mtls-proxy', version: VERSION };
}

/** The opening of a HAR document; entries follow, then HAR_END closes it. */
export function harStart(): string {
  return `{"log":{"version":"1.2","creator":${JSON.stringify(harCreator())},"pages":[],"entries":[`;
}
export const HAR_END = ']}}\n';

export function toHar(records: Iterable<TrafficRecord>): { log: { version: '1.2'; creator: { name: string; version: string }; pages: []; entries: HarEntry[] } } {
  return { log: { version: '1.2', creator: harCreator(), pages: [], entries: [...records].map(toHarEntry) } };
}

export function toHarEntry(record: TrafficRecord): HarEntry {
  const url = absoluteUrl(record);
  const postData = requestPostData(record.request);
  const waited = Math.max(0, record.durationMs - record.queuedMs);
  return {
    startedDateTime: record.time,
    time: record.durationMs,
    request: {
      method: record.method,
      url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: harHeaders(record.request.headers),
      queryString: [...new URL(url).searchParams].map(([name, value]) => ({ name, value })),
      ...(postData ? { postData } : {}),
      headersSize: -1,
      bodySize: record.request.bodyBytes,
    },
    response: {
      status: record.status,
      statusText: STATUS_CODES[record.status] ?? '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: harHeaders(record.response.headers),
      content: responseContent(record.response),
      redirectURL: headerValue(record.response.headers, 'location') ?? '',
      headersSize: -1,
      bodySize: record.response.bodyBytes,
    },
    cache: {},
    // The proxy measures the whole exchange and its own queue, not the phases in between.
    timings: { blocked: record.queuedMs, dns: -1, connect: -1, send: 0, wait: waited, receive: 0, ssl: -1 },
    ...harComment(record),
    _id: record.id,
    _profile: record.profile,
    ...(record.tag !== undefined ? { _tag: record.tag } : {}),
    ...(record.error ? { _error: record.error } : {}),
    ...(record.aborted ? { _aborted: true as const } : {}),
    ...(record.hint !== undefined ? { _hint: record.hint } : {}),
    ...(record.operation !== undefined ? { _operation: record.operation } : {}),
    ...(record.findings !== undefined ? { _findings: record.findings } : {}),
  };
}

/** What went wrong, then the operation and its findings: the one line HAR viewers show beside an entry. */
function harComment(record: TrafficRecord): { comment?: string } {
  const parts: string[] = [];
  if (record.error) parts.push(`${record.error.code}: ${record.error.message}`);
  else if (record.aborted) parts.push('The client went away before the response was complete.');
  const { operation, findings } = record;
  if (operation) parts.push(`${operation.id}${operation.summary ? `: ${operation.summary}` : ''} (${record.method} ${operation.path})${operation.deprecated ? ' [deprecated]' : ''}`);
  if (findings?.length) parts.push(`${findings.length} finding${findings.length === 1 ? '' : 's'}: ${findings.map((finding) => `${finding.where} ${finding.message}`).join('; ')}`);
  return parts.length ? { comment: parts.join(' | ') } : {};
}

/** The URL the API saw; the proxy's own address for exchanges the proxy answered itself. */
function absoluteUrl(record: TrafficRecord): string {
  if (record.upstreamUrl) return record.upstreamUrl;
  const host = headerValue(record.request.headers, 'host') ?? 'localhost';
  return `http://${host}${record.url}`;
}

function harHeaders(headers: RecordHeaders): HarNameValue[] {
  const list: HarNameValue[] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const single of Array.isArray(value) ? value : [value]) list.push({ name, value: single });
  }
  return list;
}

function headerValue(headers: RecordHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function mimeType(message: TrafficMessage): string {
  return headerValue(message.headers, 'content-type') ?? (message.bodyBytes > 0 ? 'application/octet-stream' : '');
}

function bodyText(message: TrafficMessage): string | undefined {
  if (message.bodyEncoding === 'omitted' || message.body === undefined) return undefined;
  return message.bodyEncoding === 'json' ? JSON.stringify(message.body) : String(message.body);
}

function truncationNote(message: TrafficMessage): { comment?: string } {
  return message.bodyTruncated ? { comment: `Only the first part of ${message.bodyBytes} bytes was recorded (ONS_PROXY_LOG_BODY_LIMIT).` } : {};
}

function requestPostData(message: TrafficMessage): HarEntry['request']['postData'] {
  const text = bodyText(message);
  if (message.bodyBytes === 0 || text === undefined) return undefined;
  // HAR 1.2 has no encoding for postData: binary request bodies keep their base64 text, said so in the comment.
  const note = message.bodyEncoding === 'base64' ? { comment: 'text is base64' } : truncationNote(message);
  return { mimeType: mimeType(message), text, ...note };
}

function responseContent(message: TrafficMessage): HarEntry['response']['content'] {
  const text = bodyText(message);
  const size = text === undefined || message.bodyEncoding === 'base64' ? message.bodyBytes : Buffer.byteLength(text);
  return {
    size,
    mimeType: mimeType(message),
    ...(text !== undefined ? { text } : {}),
    ...(message.bodyEncoding === 'base64' ? { encoding: 'base64' } : {}),
    ...truncationNote(message),
  };
}

function readPackageVersion(): string {
  try {
    // src/traffic and dist/traffic both sit two levels below the package root.
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
