// Turns the captured bytes of a body into what the record holds: a JSON value, a string or
// base64. Compressed bodies are decoded here, for the record only and after the exchange,
// from the captured prefix and never beyond the capture limit.
import { isUtf8 } from 'node:buffer';
import type { Transform } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { jsonBodyOf, JsonBody, type JsonBodyCheck } from './json-body.js';
import type { JsonCheckThread } from './json-check-thread.js';
import { MAX_RECORDED_JSON_DEPTH } from './json-depth.js';
import type { BodyEncoding } from './record.js';

export interface CapturedBody {
  readonly bytes: Buffer;
  /** The capture holds only the first part of the body. */
  readonly truncated: boolean;
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
  readonly limit: number;
  /** Where large JSON bodies are checked; without one they are checked a slice per turn. */
  readonly checkThread?: JsonCheckThread | undefined;
}

export interface DescribedBody {
  readonly body: unknown;
  readonly bodyEncoding: BodyEncoding;
  readonly truncated: boolean;
  /** Why the body is recorded in another form than its type suggests. */
  readonly note?: string;
}

type Decoder = () => Transform;

// Truncated input is normal here (the capture stops at the limit), so flush what decodes
// instead of failing on the missing end.
const DECODERS: Readonly<Record<string, readonly Decoder[]>> = {
  gzip: [() => createGunzip({ finishFlush: constants.Z_SYNC_FLUSH })],
  'x-gzip': [() => createGunzip({ finishFlush: constants.Z_SYNC_FLUSH })],
  // "deflate" should be zlib-wrapped, but some servers send raw deflate.
  deflate: [() => createInflate({ finishFlush: constants.Z_SYNC_FLUSH }), () => createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH })],
  br: [() => createBrotliDecompress({ finishFlush: constants.BROTLI_OPERATION_FLUSH })],
};

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
const TEXT_TYPE = /^(?:text\/|application\/(?:x-ndjson|ndjson|jsonl|xml|[\w.+-]+\+xml|x-www-form-urlencoded|javascript|graphql)\b)/i;
const BINARY_TYPE = /^(?:image|audio|video|font)\/|^application\/(?:octet-stream|pdf|zip|gzip|x-tar|vnd\.|msword|x-protobuf)/i;

/**
 * Decodes the content encoding (when known) and picks json, text or base64. Synchronous
 * unless the body is compressed: most records are built without a promise in sight.
 */
export function describeBody(captured: CapturedBody): DescribedBody | Promise<DescribedBody> {
  const encoding = captured.contentEncoding?.trim().toLowerCase();
  if (!encoding || encoding === 'identity' || captured.bytes.length === 0) {
    return describeDecoded(captured, { bytes: captured.bytes, truncated: captured.truncated, decodedAll: true });
  }
  return decodeContent(captured, encoding).then((decoded) => describeDecoded(captured, decoded));
}

function describeDecoded(captured: CapturedBody, decoded: DecodedContent): DescribedBody | Promise<DescribedBody> {
  const { bytes, truncated } = decoded;
  if (bytes.length === 0) return { body: '', bodyEncoding: 'text', truncated };
  if (!decoded.decodedAll) return { body: bytes.toString('base64'), bodyEncoding: 'base64', truncated };
  const type = captured.contentType ?? '';
  if (!JSON_TYPE.test(type) || truncated) return describeNotJson(type, bytes, truncated, undefined);
  // Checked without parsing: the record carries the body's bytes, parsed only when asked.
  const json = jsonBodyOf(bytes, MAX_RECORDED_JSON_DEPTH, captured.checkThread);
  const described = (checked: JsonBodyCheck): DescribedBody =>
    checked instanceof JsonBody
      ? { body: checked, bodyEncoding: 'json', truncated }
      : // Not valid JSON after all, or too deep to walk safely: recorded as text, so the developer sees what was sent.
        describeNotJson(type, bytes, truncated, checked === 'too deep' ? `The JSON nests deeper than ${MAX_RECORDED_JSON_DEPTH} levels: recorded as text.` : undefined);
  return json instanceof Promise ? json.then(described) : described(json);
}

function describeNotJson(type: string, bytes: Buffer, truncated: boolean, note: string | undefined): DescribedBody {
  if (!BINARY_TYPE.test(type)) {
    const text = truncated ? withoutPartialCharacter(bytes) : bytes;
    if (isUtf8(text) && (TEXT_TYPE.test(type) || JSON_TYPE.test(type) || !text.includes(0))) {
      return { body: text.toString('utf8'), bodyEncoding: 'text', truncated, ...(note !== undefined ? { note } : {}) };
    }
  }
  return { body: bytes.toString('base64'), bodyEncoding: 'base64', truncated };
}

interface DecodedContent {
  readonly bytes: Buffer;
  readonly truncated: boolean;
  /** false when the content encoding is unknown or the bytes would not decode: `bytes` are still encoded. */
  readonly decodedAll: boolean;
}

async function decodeContent(captured: CapturedBody, encoding: string): Promise<DecodedContent> {
  const decoders = DECODERS[encoding];
  if (!decoders) return { bytes: captured.bytes, truncated: captured.truncated, decodedAll: false };
  for (const decoder of decoders) {
    const result = await inflateBounded(decoder(), captured.bytes, captured.limit);
    if (result) return { bytes: result.bytes, truncated: captured.truncated || result.cut, decodedAll: true };
  }
  return { bytes: captured.bytes, truncated: captured.truncated, decodedAll: false };
}

/** Decodes at most `limit` bytes of output; undefined when the input does not decode at all. */
function inflateBounded(decoder: Transform, input: Buffer, limit: number): Promise<{ bytes: Buffer; cut: boolean } | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: { bytes: Buffer; cut: boolean } | undefined): void => {
      if (settled) return;
      settled = true;
      decoder.destroy();
      resolve(result);
    };
    decoder.on('data', (chunk: Buffer) => {
      const room = limit - size;
      chunks.push(chunk.length <= room ? chunk : chunk.subarray(0, room));
      size += Math.min(chunk.length, room);
      if (chunk.length > room) settle({ bytes: Buffer.concat(chunks, size), cut: true });
    });
    decoder.on('end', () => settle({ bytes: Buffer.concat(chunks, size), cut: false }));
    // A corrupt tail after good data still leaves something worth recording.
    decoder.on('error', () => settle(size > 0 ? { bytes: Buffer.concat(chunks, size), cut: true } : undefined));
    decoder.end(input);
  });
}

/** Drops an incomplete UTF-8 sequence at the end of a cut body, so the rest reads as text. */
function withoutPartialCharacter(bytes: Buffer): Buffer {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}
