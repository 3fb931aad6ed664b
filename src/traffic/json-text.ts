// Checks that bytes are one JSON text (RFC 8259, what JSON.parse accepts) without building
// the value: the record can then carry the body's own bytes, and nothing parses it unless a
// consumer asks for the value. The check runs in slices, so a large body never holds the
// event loop for long; it keeps its nesting in a byte stack, not in recursion.

/** How a check ended; `maxDepth` is the deepest nesting of objects and arrays, `lineBreaks` says whether whitespace between tokens holds CR or LF. */
export type JsonTextVerdict = { readonly valid: false } | { readonly valid: true; readonly lineBreaks: boolean; readonly maxDepth: number };

const OBJECT = 1;
const ARRAY = 2;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function byteTable(entries: Record<string, number>): Uint8Array {
  const table = new Uint8Array(256);
  for (const [characters, value] of Object.entries(entries)) for (let i = 0; i < characters.length; i++) table[characters.charCodeAt(i)] = value;
  return table;
}

/** 1 for the bytes a string holds as they are: not its closing quote, not an escape, not a control character. */
const PLAIN = new Uint8Array(256).fill(1, 0x20);
PLAIN[QUOTE] = 0;
PLAIN[BACKSLASH] = 0;
const DIGIT = byteTable({ '0123456789': 1 });
const HEX = byteTable({ '0123456789abcdefABCDEF': 1 });
/** The characters after a backslash that stand for one character; `u` (four hex digits) is checked on its own. */
const SHORT_ESCAPE = byteTable({ '"\\/bfnrt': 1 });

/** The verdict over all of `bytes` at once (the check thread, or a body it left unanswered). */
export function checkWhole(bytes: Uint8Array): JsonTextVerdict {
  const check = new JsonTextCheck(bytes);
  check.advance(Number.POSITIVE_INFINITY);
  return check.verdict;
}

/**
 * An incremental check over one body: `advance` looks at up to `budget` more bytes and says
 * whether it is done; `verdict` then tells the outcome.
 *
 * The grammar's state is mostly where the code is: a value is read where one may start, and
 * what may follow it (',', a close, the end) right after it, so a key and its ':' are read
 * with the ',' or '{' before them. Between calls only two places need remembering: before a
 * value, or after one. Everything `advance` touches per byte is a local, copied from the
 * fields at its start and back at its end; strings, most of an API answer's bytes, are
 * skipped four bytes at a time.
 */
export class JsonTextCheck {
  readonly #bytes: Uint8Array;
  readonly #words: DataView;
  #at = 0;
  #afterValue = false;
  #stack = new Uint8Array(64);
  #depth = 0;
  #maxDepth = 0;
  #lineBreaks = false;
  #failed = false;
  #done = false;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.#done;
  }

  get verdict(): JsonTextVerdict {
    return this.#failed || !this.#done ? { valid: false } : { valid: true, lineBreaks: this.#lineBreaks, maxDepth: this.#maxDepth };
  }

  /** Checks up to `budget` more bytes (a token is never split, so a long string may go over). */
  advance(budget: number): boolean {
    if (this.#done) return true;
    const bytes = this.#bytes;
    const words = this.#words;
    const end = bytes.length;
    let at = this.#at;
    const stop = Math.min(end, at + budget);
    let stack = this.#stack;
    let depth = this.#depth;
    let maxDepth = this.#maxDepth;
    let afterValue = this.#afterValue;
    let valid = true;
    crossedLineBreak = false;
    scan: while (at < stop) {
      if (!afterValue) {
        const byte = bytes[at] as number;
        if (byte === QUOTE) {
          at = stringBytesEnd(bytes, words, at + 1, end);
        } else if (byte <= 0x20 && isWhitespace(byte)) {
          at = whitespaceEnd(bytes, at, end);
          continue;
        } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
          if (depth === stack.length) {
            const grown = new Uint8Array(depth * 2);
            grown.set(stack);
            stack = grown;
          }
          const object = byte === OPEN_OBJECT;
          stack[depth++] = object ? OBJECT : ARRAY;
          if (depth > maxDepth) maxDepth = depth;
          at = whitespaceEnd(bytes, at + 1, end);
          if (at < end && bytes[at] === (object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
            depth--;
            at++;
          } else {
            // The first member's key comes with the '{'; a value comes next either way.
            if (object) at = keyAndColon(bytes, words, at, end);
            if (at < 0) {
              valid = false;
              break;
            }
            continue;
          }
        } else if (byte === MINUS || DIGIT[byte] === 1) {
          at = numberEnd(bytes, byte === MINUS ? at + 1 : at, end);
        } else {
          at = literalEnd(bytes, at, end);
        }
        if (at < 0) {
          valid = false;
          break;
        }
        afterValue = true;
      }
      for (;;) {
        if (at >= stop) break scan;
        let byte = bytes[at] as number;
        if (byte <= 0x20) {
          at = whitespaceEnd(bytes, at, end);
          if (at >= end) break scan;
          byte = bytes[at] as number;
        }
        // A second value at the top level, or anything but ',' and the close after a member.
        if (depth === 0) {
          valid = false;
          break scan;
        }
        const open = stack[depth - 1];
        if (byte === COMMA) {
          at++;
          if (open === OBJECT) at = keyAndColon(bytes, words, at < end && bytes[at] === QUOTE ? at : whitespaceEnd(bytes, at, end), end);
          if (at < 0) {
            valid = false;
            break scan;
          }
          afterValue = false;
          continue scan;
        }
        if ((byte === CLOSE_OBJECT && open === OBJECT) || (byte === CLOSE_ARRAY && open === ARRAY)) {
          depth--;
          at++;
          continue;
        }
        valid = false;
        break scan;
      }
    }
    this.#at = at;
    this.#afterValue = afterValue;
    this.#stack = stack;
    this.#depth = depth;
    this.#maxDepth = maxDepth;
    if (crossedLineBreak) this.#lineBreaks = true;
    if (valid && at < end) return false;
    this.#done = true;
    if (!valid || !afterValue || depth !== 0) this.#failed = true;
    return true;
  }
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Set when whitespaceEnd steps over CR or LF; `advance` clears it first and reads it last (one check runs at a time: the loop never yields). */
let crossedLineBreak = false;

function whitespaceEnd(bytes: Uint8Array, at: number, end: number): number {
  let i = at;
  for (; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte === 0x0a || byte === 0x0d) crossedLineBreak = true;
    else if (byte !== 0x20 && byte !== 0x09) break;
  }
  return i;
}

/** From a key's opening quote to after the ':' that follows it; -1 when they are not there. */
function keyAndColon(bytes: Uint8Array, words: DataView, at: number, end: number): number {
  if (at >= end || bytes[at] !== QUOTE) return -1;
  let i = stringBytesEnd(bytes, words, at + 1, end);
  if (i < 0) return -1;
  if (i < end && bytes[i] === COLON) return i + 1;
  i = whitespaceEnd(bytes, i, end);
  return i < end && bytes[i] === COLON ? i + 1 : -1;
}

/**
 * The index after the closing quote of the string whose contents start at `at`, or -1 when it
 * does not close or holds a control character or a bad escape. UTF-8 validity is checked for
 * the whole body elsewhere (isUtf8).
 */
function stringBytesEnd(bytes: Uint8Array, words: DataView, at: number, end: number): number {
  let i = at;
  for (;;) {
    // Four bytes at a time: a byte's high bit is set in `special` where it is '"', '\' or below
    // 0x20 (bytes of 0x80 and above never are); the lowest set bit is exact, the first of them.
    while (i + 4 <= end) {
      const word = words.getInt32(i, true);
      const quote = word ^ 0x22222222;
      const backslash = word ^ 0x5c5c5c5c;
      const special = (((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash) | ((word - 0x20202020) & ~word)) & 0x80808080;
      if (special !== 0) {
        i += (31 - Math.clz32(special & -special)) >> 3;
        break;
      }
      i += 4;
    }
    while (i < end && PLAIN[bytes[i] as number] === 1) i++;
    if (i >= end) return -1;
    const byte = bytes[i] as number;
    if (byte === QUOTE) return i + 1;
    if (byte !== BACKSLASH || i + 1 >= end) return -1;
    const escaped = bytes[i + 1] as number;
    if (SHORT_ESCAPE[escaped] === 1) i += 2;
    else if (escaped === 0x75 && i + 5 < end && HEX[bytes[i + 2] as number] === 1 && HEX[bytes[i + 3] as number] === 1 && HEX[bytes[i + 4] as number] === 1 && HEX[bytes[i + 5] as number] === 1) i += 6;
    else return -1;
  }
}

/** The index after the number whose digits start at `at` (after any minus sign), or -1 when it is not one. */
function numberEnd(bytes: Uint8Array, at: number, end: number): number {
  let i = at;
  if (i >= end) return -1;
  const first = bytes[i] as number;
  if (first === 0x30) i++;
  else if (first >= 0x31 && first <= 0x39) i = digitsEnd(bytes, i + 1, end);
  else return -1;
  if (i < end && bytes[i] === 0x2e) {
    if (i + 1 >= end || DIGIT[bytes[i + 1] as number] !== 1) return -1;
    i = digitsEnd(bytes, i + 2, end);
  }
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    if (i < end && (bytes[i] === 0x2b || bytes[i] === MINUS)) i++;
    if (i >= end || DIGIT[bytes[i] as number] !== 1) return -1;
    i = digitsEnd(bytes, i + 1, end);
  }
  return i;
}

function digitsEnd(bytes: Uint8Array, at: number, end: number): number {
  let i = at;
  while (i < end && DIGIT[bytes[i] as number] === 1) i++;
  return i;
}

/** The index after `true`, `false` or `null` at `at`, or -1 when none of them is there. */
function literalEnd(bytes: Uint8Array, at: number, end: number): number {
  const first = bytes[at];
  if (first === 0x74) return at + 3 < end && bytes[at + 1] === 0x72 && bytes[at + 2] === 0x75 && bytes[at + 3] === 0x65 ? at + 4 : -1;
  if (first === 0x66) return at + 4 < end && bytes[at + 1] === 0x61 && bytes[at + 2] === 0x6c && bytes[at + 3] === 0x73 && bytes[at + 4] === 0x65 ? at + 5 : -1;
  if (first === 0x6e) return at + 3 < end && bytes[at + 1] === 0x75 && bytes[at + 2] === 0x6c && bytes[at + 3] === 0x6c ? at + 4 : -1;
  return -1;
}

/** Where a value lies in a text: [start, end) in UTF-16 code units. */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * Where the value of `request.body` and `response.body` lies in a traffic record's line: the
 * body's own text, as the recorder spliced it in. The line is one well-formed JSON object (it
 * was parsed before this is asked), so the walk only skips strings and counts brackets.
 */
export function recordBodySpans(line: string): { request?: TextSpan; response?: TextSpan } {
  const spans: { request?: TextSpan; response?: TextSpan } = {};
  for (const member of objectMembers(line, skipSpace(line, 0))) {
    if (member.key !== 'request' && member.key !== 'response') continue;
    for (const inner of objectMembers(line, member.start)) {
      if (inner.key === 'body') spans[member.key] = { start: inner.start, end: inner.end };
    }
  }
  return spans;
}

interface Member extends TextSpan {
  /** The key as written between its quotes (escapes left as they are). */
  readonly key: string;
}

function* objectMembers(text: string, open: number): Generator<Member> {
  if (text.charCodeAt(open) !== 0x7b) return;
  let at = skipSpace(text, open + 1);
  if (text.charCodeAt(at) === 0x7d) return;
  while (at < text.length) {
    const keyEnd = stringEnd(text, at);
    const key = text.slice(at + 1, keyEnd - 1);
    const start = skipSpace(text, skipSpace(text, keyEnd) + 1);
    const end = valueEnd(text, start);
    yield { key, start, end };
    at = skipSpace(text, end);
    if (text.charCodeAt(at) !== 0x2c) return;
    at = skipSpace(text, at + 1);
  }
}

function skipSpace(text: string, at: number): number {
  let i = at;
  for (let code = text.charCodeAt(i); code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d; code = text.charCodeAt(++i));
  return i;
}

/** The index after the string that opens at `at` (its opening quote). */
function stringEnd(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote === -1) return text.length;
    let backslashes = 0;
    for (let k = quote - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** The index after the value that starts at `at`. */
function valueEnd(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return stringEnd(text, at);
  if (first !== 0x7b && first !== 0x5b) {
    let i = at;
    for (let code = text.charCodeAt(i); i < text.length && code !== 0x2c && code !== 0x7d && code !== 0x5d && code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09; code = text.charCodeAt(++i));
    return i;
  }
  let depth = 0;
  let i = at;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    if (code === 0x7b || code === 0x5b) depth++;
    else if (code === 0x7d || code === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}
