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

export function recordBytes(record: TrafficRecord): Buffer {
  const request = spliced(record.request);
  const response = spliced(record.response);
  if (!request && !response) return Buffer.from(JSON.stringify(record));
  // A shallow copy keeps the record's own field order, so fields added to the record come along.
  const marked: TrafficRecord = {
    ...record,
    request: request ? { ...record.request, body: REQUEST_MARK } : record.request,
    response: response ? { ...record.response, body: RESPONSE_MARK } : record.response,
  };
  const text = JSON.stringify(marked);
  // The pieces are written straight into one buffer of the record's length: no piece is
  // encoded into a buffer of its own, and a large body is copied once, not twice.
  // A base64 body is ASCII: written as latin1, one byte per character, without UTF-8 encoding.
  const pieces: Array<string | Buffer | { readonly ascii: string }> = [];
  let from = 0;
  const splice = (mark: string, message: TrafficMessage): void => {
    const quoted = JSON.stringify(mark);
    const at = text.indexOf(quoted, from);
    pieces.push(text.slice(from, at));
    if (message.body instanceof JsonBody) pieces.push(message.body.text);
    else pieces.push('"', { ascii: message.body as string }, '"');
    from = at + quoted.length;
  };
  if (request) splice(REQUEST_MARK, record.request);
  if (response) splice(RESPONSE_MARK, record.response);
  pieces.push(text.slice(from));
  let length = 0;
  for (const piece of pieces) length += typeof piece === 'string' ? Buffer.byteLength(piece) : Buffer.isBuffer(piece) ? piece.length : piece.ascii.length;
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  for (const piece of pieces) at += typeof piece === 'string' ? bytes.write(piece, at) : Buffer.isBuffer(piece) ? piece.copy(bytes, at) : bytes.write(piece.ascii, at, 'latin1');
  return bytes;
}
