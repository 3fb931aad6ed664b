/**
 * The small HTTP toolkit the mock's routes share: a route shape, response helpers for
 * the two Ons error styles, Accept negotiation and a bounded JSON body reader.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const NDJSON_TYPE = 'application/x-ndjson';

export interface PeerCertificateInfo {
  serialNumber: string;
  subjectCN: string;
  fingerprint256: string;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Captures from the route's path pattern, in order. */
  params: string[];
  cert: PeerCertificateInfo;
}

export interface Route {
  methods: readonly string[];
  pattern: RegExp;
  /**
   * Media types the route can answer with; the Accept gate checks them. Omitted means the
   * route skips negotiation (test-support routes and /ping).
   */
  produces?: readonly string[];
  handle(ctx: RouteContext): void | Promise<void>;
}

export interface OnsErrorEntry {
  field: string;
  value: string;
  message: string;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The classic Ons error body: `{"errorResponseEntries":[{field,value,message}]}`. */
export function sendOnsError(res: ServerResponse, status: number, ...entries: OnsErrorEntry[]): void {
  sendJson(res, status, { errorResponseEntries: entries });
}

/** The RFC 9457 style newer `/v0/` operations use; Ons serves it as plain application/json. */
export function sendProblem(res: ServerResponse, status: number, title: string, detail: string): void {
  sendJson(res, status, { type: 'about:blank', title, status, detail });
}

export function sendText(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mediaType = '', ...params] = part.split(';').map((s) => s.trim());
    const [type, subtype] = mediaType.toLowerCase().split('/');
    if (!type || !subtype) continue;
    let q = 1;
    for (const param of params) {
      const [name, value] = param.split('=').map((s) => s.trim());
      if (name?.toLowerCase() === 'q' && value !== undefined) {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? parsed : 0;
      }
    }
    ranges.push({ type, subtype, q });
  }
  return ranges;
}

function specificity(range: MediaRange): number {
  return (range.type === '*' ? 0 : 1) + (range.subtype === '*' ? 0 : 1);
}

/**
 * True when the Accept header admits one of `produces`. The most specific matching range
 * decides, so `application/json;q=0, *\/*` refuses JSON as RFC 9110 says it should.
 */
export function acceptsAny(acceptHeader: string | undefined, produces: readonly string[]): boolean {
  if (acceptHeader === undefined) return false;
  const ranges = parseAccept(acceptHeader);
  return produces.some((produced) => {
    const [type, subtype] = produced.toLowerCase().split('/');
    let best: MediaRange | undefined;
    for (const range of ranges) {
      const matches = (range.type === '*' || range.type === type) && (range.subtype === '*' || range.subtype === subtype);
      if (matches && (best === undefined || specificity(range) > specificity(best))) best = range;
    }
    return best !== undefined && best.q > 0;
  });
}

export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a JSON body of at most `limit` bytes; larger bodies are refused without buffering them. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyError(413, `request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BodyError(400, 'request body is not valid JSON');
  }
}

export function isJsonContentType(header: string | undefined): boolean {
  const mediaType = header?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json' || (mediaType?.startsWith('application/') === true && mediaType.endsWith('+json'));
}
