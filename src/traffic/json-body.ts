// A JSON body as the record holds it: the body's own bytes, checked to be one JSON text,
// and parsed only when a consumer asks for the value (redaction, advisory checks, a reader
// in the same process). The traffic file and the inspector take the bytes as they are.
import { isUtf8 } from 'node:buffer';
import { OFF_THREAD_BYTES, type JsonCheckThread } from './json-check-thread.js';
import { JsonTextCheck, type JsonTextVerdict } from './json-text.js';

/**
 * Bytes checked per event-loop turn when a body is not checked at once: as many as the
 * largest body checked at once (~0.25 ms on this project's 2-core VM at ~1.2 ns per byte,
 * bench/json-check-row.ts), so no single body holds the loop for long.
 */
export const JSON_CHECK_SLICE_BYTES = OFF_THREAD_BYTES;

export class JsonBody {
  #value: unknown;
  #parsed = false;
  #text: Buffer | undefined;
  #cut: (() => string) | undefined;

  /** `text` is UTF-8, one JSON text, and holds no line break (it goes into one NDJSON line as it is). */
  constructor(text: Buffer) {
    this.#text = text;
  }

  /**
   * A body read back from a traffic file: `value` is what parsing the line gave, and the
   * body's own text is cut from the line only when a writer asks for it (reports never do).
   */
  static read(value: unknown, cut: () => string): JsonBody {
    const body = new JsonBody(EMPTY);
    body.#text = undefined;
    body.#cut = cut;
    body.#value = value;
    body.#parsed = true;
    return body;
  }

  /** The body's own bytes, as the API (or the client) sent them. */
  get text(): Buffer {
    if (this.#text === undefined) {
      this.#text = Buffer.from(this.#cut?.() ?? 'null');
      this.#cut = undefined;
    }
    return this.#text;
  }

  /** The parsed value, parsed on the first call and shared by every consumer after it. */
  get value(): unknown {
    if (!this.#parsed) {
      this.#value = JSON.parse(this.text.toString('utf8')) as unknown;
      this.#parsed = true;
    }
    return this.#value;
  }

  /** Anything that serialises a record with JSON.stringify gets the value, as before. */
  toJSON(): unknown {
    return this.value;
  }
}

const EMPTY = Buffer.alloc(0);

/** The body, or why it is not recorded as JSON: not one UTF-8 JSON text (undefined), or nested deeper than allowed. */
export type JsonBodyCheck = JsonBody | 'too deep' | undefined;

/**
 * The JSON body these bytes hold, if they are one UTF-8 JSON text nested at most `maxDepth`
 * levels. Small bodies are checked at once; larger ones on the check thread, or a slice per
 * turn when there is none, and then the answer is a promise.
 */
export function jsonBodyOf(bytes: Buffer, maxDepth: number, thread?: JsonCheckThread): JsonBodyCheck | Promise<JsonBodyCheck> {
  if (!isUtf8(bytes)) return undefined;
  const offThread = thread !== undefined && bytes.length >= OFF_THREAD_BYTES ? thread.check(bytes) : undefined;
  if (offThread) return offThread.then((verdict) => conclude(verdict, bytes, maxDepth));
  const check = new JsonTextCheck(bytes);
  if (check.advance(JSON_CHECK_SLICE_BYTES)) return conclude(check.verdict, bytes, maxDepth);
  return new Promise((resolve) => {
    const step = (): void => {
      if (check.advance(JSON_CHECK_SLICE_BYTES)) resolve(conclude(check.verdict, bytes, maxDepth));
      else setImmediate(step);
    };
    setImmediate(step);
  });
}

function conclude(verdict: JsonTextVerdict, bytes: Buffer, maxDepth: number): JsonBodyCheck {
  if (!verdict.valid) return undefined;
  if (verdict.maxDepth > maxDepth) return 'too deep';
  return new JsonBody(verdict.lineBreaks ? withoutLineBreaks(bytes) : bytes);
}

/** Valid JSON holds CR and LF only as whitespace between tokens (inside strings they are escaped): dropping them keeps the value. */
function withoutLineBreaks(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  for (const byte of bytes) if (byte !== 0x0a && byte !== 0x0d) out[length++] = byte;
  return out.subarray(0, length);
}

/**
 * A recorded body as its value: what a consumer of the record in this process (an advisory
 * check, a report) reads, so that a JSON body is parsed once, on first use, for all of them.
 */
export function bodyValue(message: { readonly body?: unknown }): unknown {
  return message.body instanceof JsonBody ? message.body.value : message.body;
}
