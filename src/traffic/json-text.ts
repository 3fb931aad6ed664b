// Checks that bytes are one JSON text (RFC 8259, what JSON.parse accepts) without building
// the value: the record can then carry the body's own bytes, and nothing parses it unless a
// consumer asks for the value. The check runs in slices, so a large body never holds the
// event loop for long; it keeps its nesting in a byte stack, not in recursion.

/** How a check ended; `maxDepth` is the deepest nesting of objects and arrays, `lineBreaks` says whether whitespace between tokens holds CR or LF. */
export type JsonTextVerdict = { readonly valid: false } | { readonly valid: true; readonly lineBreaks: boolean; readonly maxDepth: number };

const enum Expect {
  /** A value must come next (start of text, after ':' or ',' in an array). */
  Value,
  /** A value or ']' (just after '['). */
  ValueOrClose,
  /** A key string or '}' (just after '{'). */
  KeyOrClose,
  /** A key string (after ',' in an object). */
  Key,
  /** ':' after a key. */
  Colon,
  /** ',' or the container's close, or the end of the text at depth 0. */
  CommaOrClose,
}

const OBJECT = 1;
const ARRAY = 2;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The verdict over all of `bytes` at once (the check thread, or a body it left unanswered). */
export function checkWhole(bytes: Uint8Array): JsonTextVerdict {
  const check = new JsonTextCheck(bytes);
  check.advance(Number.POSITIVE_INFINITY);
  return check.verdict;
}

/**
 * An incremental check over one body: `advance` looks at up to `budget` more bytes and says
 * whether it is done; `verdict` then tells the outcome.
 */
export class JsonTextCheck {
  #at = 0;
  #expect: Expect = Expect.Value;
  #stack = new Uint8Array(64);
  #depth = 0;
  #maxDepth = 0;
  #lineBreaks = false;
  #failed = false;
  #done = false;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.#done;
  }

  get verdict(): JsonTextVerdict {
    return this.#failed || !this.#done ? { valid: false } : { valid: true, lineBreaks: this.#lineBreaks, maxDepth: this.#maxDepth };
  }

  /** Checks up to `budget` more bytes (a token is never split, so a long string may go over). */
  advance(budget: number): boolean {
    if (this.#done) return true;
    const bytes = this.bytes;
    const end = bytes.length;
    const stop = Math.min(end, this.#at + budget);
    let at = this.#at;
    while (at < stop) {
      const byte = bytes[at] as number;
      if (byte === SPACE || byte === TAB) {
        at++;
        continue;
      }
      if (byte === LF || byte === CR) {
        this.#lineBreaks = true;
        at++;
        continue;
      }
      const next = this.#token(byte, at);
      if (next < 0) return this.#fail();
      at = next;
    }
    this.#at = at;
    if (at < end) return false;
    this.#done = true;
    if (this.#depth !== 0 || this.#expect !== Expect.CommaOrClose) this.#failed = true;
    return true;
  }

  #fail(): true {
    this.#failed = true;
    this.#done = true;
    return true;
  }

  /** Consumes the token starting at `at`; returns the index after it, or -1 when it does not belong there. */
  #token(byte: number, at: number): number {
    switch (this.#expect) {
      case Expect.Colon:
        if (byte !== 0x3a) return -1;
        this.#expect = Expect.Value;
        return at + 1;
      case Expect.CommaOrClose:
        if (this.#depth === 0) return -1;
        if (byte === 0x2c) {
          this.#expect = this.#stack[this.#depth - 1] === OBJECT ? Expect.Key : Expect.Value;
          return at + 1;
        }
        return this.#close(byte, at);
      case Expect.KeyOrClose:
      case Expect.Key:
        if (byte === 0x7d && this.#expect === Expect.KeyOrClose) return this.#close(byte, at);
        if (byte !== QUOTE) return -1;
        this.#expect = Expect.Colon;
        return this.#string(at);
      case Expect.ValueOrClose:
      case Expect.Value:
        if (byte === 0x5d && this.#expect === Expect.ValueOrClose) return this.#close(byte, at);
        return this.#value(byte, at);
    }
  }

  #close(byte: number, at: number): number {
    const open = this.#stack[this.#depth - 1];
    if ((byte === 0x7d && open !== OBJECT) || (byte === 0x5d && open !== ARRAY) || (byte !== 0x7d && byte !== 0x5d)) return -1;
    this.#depth--;
    this.#expect = Expect.CommaOrClose;
    return at + 1;
  }

  #open(kind: number, at: number): number {
    if (this.#depth === this.#stack.length) {
      const grown = new Uint8Array(this.#stack.length * 2);
      grown.set(this.#stack);
      this.#stack = grown;
    }
    this.#stack[this.#depth++] = kind;
    if (this.#depth > this.#maxDepth) this.#maxDepth = this.#depth;
    this.#expect = kind === OBJECT ? Expect.KeyOrClose : Expect.ValueOrClose;
    return at + 1;
  }

  #value(byte: number, at: number): number {
    if (byte === 0x7b) return this.#open(OBJECT, at);
    if (byte === 0x5b) return this.#open(ARRAY, at);
    this.#expect = Expect.CommaOrClose;
    if (byte === QUOTE) return this.#string(at);
    if (byte === 0x74) return this.#literal(at, 'true');
    if (byte === 0x66) return this.#literal(at, 'false');
    if (byte === 0x6e) return this.#literal(at, 'null');
    return this.#number(at);
  }

  #literal(at: number, word: string): number {
    const bytes = this.bytes;
    for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word.charCodeAt(i)) return -1;
    return at + word.length;
  }

  #number(at: number): number {
    const bytes = this.bytes;
    let i = at;
    if (bytes[i] === 0x2d) i++;
    if (bytes[i] === 0x30) i++;
    else if (isDigit19(bytes[i])) while (isDigit(bytes[i])) i++;
    else return -1;
    if (bytes[i] === 0x2e) {
      i++;
      if (!isDigit(bytes[i])) return -1;
      while (isDigit(bytes[i])) i++;
    }
    if (bytes[i] === 0x65 || bytes[i] === 0x45) {
      i++;
      if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
      if (!isDigit(bytes[i])) return -1;
      while (isDigit(bytes[i])) i++;
    }
    return i;
  }

  /** A string from its opening quote; UTF-8 validity is checked for the whole body elsewhere (isUtf8). */
  #string(at: number): number {
    const bytes = this.bytes;
    const end = bytes.length;
    let i = at + 1;
    while (i < end) {
      const byte = bytes[i] as number;
      if (byte === QUOTE) return i + 1;
      if (byte < 0x20) return -1;
      if (byte !== BACKSLASH) {
        i++;
        continue;
      }
      const escaped = bytes[i + 1];
      if (escaped === 0x75) {
        for (let k = 2; k < 6; k++) if (!isHex(bytes[i + k])) return -1;
        i += 6;
      } else if (escaped === QUOTE || escaped === BACKSLASH || escaped === 0x2f || escaped === 0x62 || escaped === 0x66 || escaped === 0x6e || escaped === 0x72 || escaped === 0x74) {
        i += 2;
      } else {
        return -1;
      }
    }
    return -1;
  }
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function isDigit19(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x31 && byte <= 0x39;
}

function isHex(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66));
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
