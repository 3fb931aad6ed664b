// A recorded JSON body's own text, taken from the bytes of its record. The ring holds each
// record as the bytes the recorder wrote, where a JSON body sits as the bytes it arrived as:
// resend sends those, so ids above 2^53, spacing, escapes and `1.0` go out as recorded, which
// a parse and JSON.stringify would change. The walk only skips over values; it builds none.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** The bytes of `record[side].body` as they stand in the record's text, or undefined when there is none. */
export function recordedBodyText(recordJson: Buffer, side: 'request' | 'response'): Buffer | undefined {
  const message = memberValue(recordJson, skipSpace(recordJson, 0), side);
  if (message === undefined) return undefined;
  const body = memberValue(recordJson, message.start, 'body');
  return body === undefined ? undefined : recordJson.subarray(body.start, body.end);
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/** The span of the value of member `name` of the object that starts at `at`. */
function memberValue(bytes: Buffer, at: number, name: string): Span | undefined {
  if (bytes[at] !== OPEN_OBJECT) return undefined;
  let position = skipSpace(bytes, at + 1);
  while (position < bytes.length && bytes[position] !== CLOSE_OBJECT) {
    const keyEnd = skipString(bytes, position);
    const key = JSON.parse(bytes.toString('utf8', position, keyEnd)) as string;
    position = skipSpace(bytes, keyEnd);
    if (bytes[position] !== COLON) return undefined;
    const start = skipSpace(bytes, position + 1);
    const end = skipValue(bytes, start);
    if (key === name) return { start, end };
    position = skipSpace(bytes, end);
    if (bytes[position] === COMMA) position = skipSpace(bytes, position + 1);
  }
  return undefined;
}

function skipSpace(bytes: Buffer, at: number): number {
  let position = at;
  while (position < bytes.length && (bytes[position] === 0x20 || bytes[position] === 0x09 || bytes[position] === 0x0a || bytes[position] === 0x0d)) position++;
  return position;
}

/** `at` is on the opening quote; returns the index after the closing one. */
function skipString(bytes: Buffer, at: number): number {
  let position = at + 1;
  while (position < bytes.length) {
    const byte = bytes[position];
    if (byte === BACKSLASH) position += 2;
    else if (byte === QUOTE) return position + 1;
    else position++;
  }
  return position;
}

/** The index after the value that starts at `at` (a string, a container or a literal). */
function skipValue(bytes: Buffer, at: number): number {
  const first = bytes[at];
  if (first === QUOTE) return skipString(bytes, at);
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    let position = at;
    while (position < bytes.length && bytes[position] !== COMMA && bytes[position] !== CLOSE_OBJECT && bytes[position] !== CLOSE_ARRAY) position++;
    // A literal ends before the separator; trailing space is not part of it.
    while (position > at && (bytes[position - 1] === 0x20 || bytes[position - 1] === 0x09)) position--;
    return position;
  }
  let depth = 0;
  let position = at;
  while (position < bytes.length) {
    const byte = bytes[position];
    if (byte === QUOTE) {
      position = skipString(bytes, position);
      continue;
    }
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth++;
    else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return position + 1;
    }
    position++;
  }
  return position;
}
