// The bytes of a record's JSON text, made once per record for every sink (traffic file,
// inspector). A JSON body goes in as its own bytes: parsing it and serialising it again was
// most of what recording a large JSON answer cost. A large base64 body goes in without
// JSON.stringify copying it onto V8's heap (it needs no escaping): a download's record
// holds 1.4 MB of it, and those copies piled up until the next full GC.
//
// The rest of the record is serialised by one JSON.stringify with a mark where each such
// body goes, and the body's bytes replace the mark: one native call instead of a walk that
// serialised field by field. The mark holds NUL characters and a per-process random part,
// so no text the record carries (headers and URLs hold no NUL) can be taken for it.
import { randomBytes } from 'node:crypto';
import { JsonBody } from './json-body.js';
import type { TrafficMessage, TrafficRecord } from './record.js';

const SPLICED_BASE64_BYTES = 64 * 1024;

const MARK_ID = randomBytes(8).toString('hex');
const REQUEST_MARK = `\u0000ons-proxy request body ${MARK_ID}\u0000`;
const RESPONSE_MARK = `\u0000ons-proxy response body ${MARK_ID}\u0000`;

const spliced = (message: TrafficMessage): boolean =>
  message.body instanceof JsonBody || (message.bodyEncoding === 'base64' && typeof message.body === 'string' && message.body.length >= SPLICED_BASE64_BYTES);

/**
 * A record's JSON text as the pieces it was made of: the text around the bodies, and the
 * bodies' own bytes. The traffic file writes the pieces as they are and the inspector copies
 * them into its slabs, so a large body is never copied into a new buffer of the record's
 * size: on these machines a fresh buffer of tens of KB costs more in page faults than the copy.
 * The pieces are never changed once made.
 */
export type RecordJson = readonly Buffer[];

export function jsonLength(json: RecordJson): number {
  let length = 0;
  for (const piece of json) length += piece.length;
  return length;
}

/** The pieces as one buffer, for a consumer that needs one (a single piece is not copied). */
export function joinJson(json: RecordJson): Buffer {
  return json.length === 1 ? (json[0] as Buffer) : Buffer.concat(json as Buffer[], jsonLength(json));
}

export function recordBytes(record: TrafficRecord): Buffer {
  return joinJson(recordJson(record));
}

const QUOTE = Buffer.from('"');

export function recordJson(record: TrafficRecord): RecordJson {
  const request = spliced(record.request);
  const response = spliced(record.response);
  if (!request && !response) return [Buffer.from(JSON.stringify(record))];
  // A shallow copy keeps the record's own field order, so fields added to the record come along.
  const marked: TrafficRecord = {
    ...record,
    request: request ? { ...record.request, body: REQUEST_MARK } : record.request,
    response: response ? { ...record.response, body: RESPONSE_MARK } : record.response,
  };
  const text = JSON.stringify(marked);
  const pieces: Buffer[] = [];
  let from = 0;
  const splice = (mark: string, message: TrafficMessage): void => {
    const quoted = JSON.stringify(mark);
    const at = text.indexOf(quoted, from);
    pieces.push(Buffer.from(text.slice(from, at)));
    if (message.body instanceof JsonBody) pieces.push(message.body.text);
    else pieces.push(QUOTE, Buffer.from(message.body as string, 'latin1'), QUOTE);
    from = at + quoted.length;
  };
  if (request) splice(REQUEST_MARK, record.request);
  if (response) splice(RESPONSE_MARK, record.response);
  pieces.push(Buffer.from(text.slice(from)));
  return pieces;
}
