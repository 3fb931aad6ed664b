// Traffic records as HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the format
// Chrome DevTools, Firefox, Insomnia and Postman import. Fields HAR has no place for travel
// as custom fields, which HAR allows when their names start with an underscore.
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { JsonBody } from './json-body.js';
import type { RecordFinding, RecordHeaders, RecordOperation, RepeatedRefusal, TrafficMessage, TrafficRecord } from './record.js';
import { describeRepeated } from './repeated-refusals.js';

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
    comment?: string;
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
  _repeated?: RepeatedRefusal;
  _operation?: RecordOperation;
  _findings?: RecordFinding[];
}

const VERSION = readPackageVersion();

export function harCreator(): { name: string; version: string } {
  return { name: 'ons-mtls-proxy', version: VERSION };
}

/** The opening of a HAR document; entries follow, then harEnd() closes it. */
export function harStart(): string {
  return `{"log":{"version":"1.2","creator":${JSON.stringify(harCreator())},"pages":[],"entries":[`;
}

/** Closes a HAR document, saying in the log's comment how many records could not be expressed in it. */
export function harEnd(skipped: number): string {
  return skipped === 0 ? ']}}\n' : `],"comment":${JSON.stringify(skippedNote(skipped))}}}\n`;
}

export function skippedNote(skipped: number): string {
  return `${skipped} record${skipped === 1 ? '' : 's'} could not be expressed in HAR and ${skipped === 1 ? 'was' : 'were'} left out.`;
}

/** One record as the JSON text of its HAR entry, or undefined when it cannot be expressed in HAR at all. */
export function harEntryText(record: TrafficRecord): string | undefined {
  try {
    return JSON.stringify(toHarEntry(record));
  } catch {
    // A record edited by hand or written by another tool: the export goes on without it, and says so.
    return undefined;
  }
}

/** The records as one HAR document; records it cannot express are left out and counted in the log's comment. */
export function harDocument(records: Iterable<TrafficRecord>): string {
  const entries: string[] = [];
  let skipped = 0;
  for (const record of records) {
    const text = harEntryText(record);
    if (text === undefined) skipped++;
    else entries.push(text);
  }
  return `${harStart()}${entries.join(',')}${harEnd(skipped)}`;
}

export function toHarEntry(record: TrafficRecord): HarEntry {
  const { url, note } = absoluteUrl(record);
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
      ...(note !== undefined ? { comment: note } : {}),
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
    ...(record.repeated ? { _repeated: record.repeated } : {}),
    ...(record.operation !== undefined ? { _operation: record.operation } : {}),
    ...(record.findings !== undefined ? { _findings: record.findings } : {}),
  };
}

/** What went wrong, then the operation and its findings: the one line HAR viewers show beside an entry. */
function harComment(record: TrafficRecord): { comment?: string } {
  const parts: string[] = [];
  if (record.error) parts.push(`${record.error.code}: ${record.error.message}`);
  else if (record.aborted) parts.push('The client went away before the response was complete.');
  // One entry stands for them all; a HAR viewer would otherwise show one request where the client sent thousands.
  if (record.repeated) parts.push(`This entry stands for ${describeRepeated(record.repeated)}.`);
  const { operation, findings } = record;
  if (operation) parts.push(`${operation.id}${operation.summary ? `: ${operation.summary}` : ''} (${record.method} ${operation.path})${operation.deprecated ? ' [deprecated]' : ''}`);
  if (findings?.length) parts.push(`${findings.length} finding${findings.length === 1 ? '' : 's'}: ${findings.map((finding) => `${finding.where} ${finding.message}`).join('; ')}`);
  return parts.length ? { comment: parts.join(' | ') } : {};
}

/**
 * The URL the API saw; the proxy's own address for exchanges the proxy answered itself. HAR
 * needs an absolute URL: a record whose Host or target makes none (a refused "Host: a b", a
 * CONNECT authority) gets one on localhost, and a note saying what was recorded.
 */
function absoluteUrl(record: TrafficRecord): { url: string; note?: string } {
  if (record.upstreamUrl && parses(record.upstreamUrl)) return { url: record.upstreamUrl };
  const host = headerValue(record.request.headers, 'host') ?? 'localhost';
  const asSent = `http://${host}${record.url}`;
  if (record.url.startsWith('/') && parses(asSent)) return { url: asSent };
  const target = record.url.startsWith('/') && parses(`http://localhost${record.url}`) ? record.url : `/${encodeURIComponent(record.url)}`;
  return { url: `http://localhost${target}`, note: `Recorded with Host ${JSON.stringify(host)} and target ${JSON.stringify(record.url)}, which make no URL: shown on localhost.` };
}

function parses(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
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
  // A body read with its own text (readRecords' exactBodies) is exported as it was recorded.
  if (message.body instanceof JsonBody) return message.body.text.toString('utf8');
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
