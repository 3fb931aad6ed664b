// The JSON text check against JSON.parse, on generated texts: valid ones of varied shapes and
// spacing, and the mutations that make a text almost JSON. Whatever JSON.parse accepts the
// check must call valid (and the reverse), with the right nesting depth and line-break flag,
// and checking in slices of any size must give the same verdict as checking at once.
import { describe, expect, it } from 'vitest';
import { mulberry32, type Random } from '../../src/mock/random.js';
import { checkWhole, JsonTextCheck, type JsonTextVerdict } from '../../src/traffic/json-text.js';
import { onsListAnswer, onsObjectAnswer } from '../support/ons-payloads.js';

function parsed(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** The deepest nesting of objects and arrays in a text JSON.parse accepted (from the text: a parsed value drops repeated keys). */
function depthOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const character = text[i];
    if (inString) {
      if (character === '\\') i++;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === '{' || character === '[') deepest = Math.max(deepest, ++depth);
    else if (character === '}' || character === ']') depth--;
  }
  return deepest;
}

/** What the check must say about `text`, from JSON.parse: valid JSON holds CR and LF only as whitespace. */
function expectedVerdict(text: string): JsonTextVerdict {
  const result = parsed(text);
  return result ? { valid: true, lineBreaks: /[\r\n]/.test(text), maxDepth: depthOf(text) } : { valid: false };
}

function inSlices(bytes: Uint8Array, budget: number): JsonTextVerdict {
  const check = new JsonTextCheck(bytes);
  let calls = 0;
  while (!check.advance(budget)) {
    // Each call moves on by at least one token, so a check never needs more calls than bytes.
    if (++calls > bytes.length + 1) throw new Error(`the check made no progress with a budget of ${budget}`);
  }
  return check.verdict;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const WHITESPACE = [' ', '\t', '\n', '\r', '\r\n', '  '];
const STRING_PARTS = ['a', 'Proefmans', ' ', 'é', '€', '😀', '\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u00e9', '\\uD83D\\uDE00', '\\u0000', "'", '{', ']', ',', ':', '0x7f\u007f'];
const NUMBERS = ['0', '-0', '7', '-12', '1873', '3.25', '-0.5', '1e5', '1E+5', '2.5e-3', '12345678901234567890', '0.000001', '-1.5E10'];

/** A random JSON text; spacing between tokens now and then, nesting up to `depth` levels. */
function generate(random: Random, depth: number): string {
  const space = (): string => (random() < 0.15 ? pick(random, WHITESPACE) : '');
  const value = (level: number): string => {
    const roll = random();
    if (level < depth && roll < 0.3) {
      const members = Array.from({ length: Math.floor(random() * 4) }, () => `${space()}${string()}${space()}:${space()}${value(level + 1)}${space()}`);
      return `{${members.join(',') || space()}}`;
    }
    if (level < depth && roll < 0.5) {
      const items = Array.from({ length: Math.floor(random() * 4) }, () => `${space()}${value(level + 1)}${space()}`);
      return `[${items.join(',') || space()}]`;
    }
    if (roll < 0.75) return string();
    if (roll < 0.9) return pick(random, NUMBERS);
    return pick(random, ['true', 'false', 'null']);
  };
  const string = (): string => `"${Array.from({ length: Math.floor(random() * 6) }, () => pick(random, STRING_PARTS)).join('')}"`;
  return `${space()}${value(0)}${space()}`;
}

/** Nested `levels` deep around a small value: past the check's first stack of 64 levels. */
function nested(random: Random, levels: number): string {
  let text = pick(random, ['1', '"x"', '[]', '{}', 'null']);
  for (let i = 0; i < levels; i++) text = random() < 0.5 ? `[${text}]` : `{"k${i}":${text}}`;
  return text;
}

/** Edits that make a text almost JSON, or that happen to keep it JSON. */
const MUTATIONS: ReadonlyArray<(text: string, random: Random) => string> = [
  (text, random) => text.slice(0, Math.floor(random() * text.length)),
  (text, random) => replaceAt(text, random, pick(random, ['"', ',', ':', '{', '}', '[', ']', '\\', '0', '-', '.', 'e', ' ', '\n', 'x', 't', 'n', ''])),
  (text, random) => replaceAt(text, random, pick(random, ['\u0000', '\u0001', '\t', '\n', '\r', '\u001f'])),
  (text, random) => insertAt(text, random, pick(random, ['\\x', '\\u12g4', '\\u12', '\\', '\\U0041', '\\\''])),
  (text, random) => insertAt(text, random, pick(random, ['01', '-', '1.', '1e', '1e+', '-.5', '.5', '+1', '0x10', 'NaN', 'Infinity', '1.e5'])),
  (text, random) => insertAt(text, random, pick(random, [',]', ',}', ',', ',,'])),
  (text, random) => insertAt(text, random, pick(random, ['[', '{', '{"a":', '["x",'])),
  (text, random) => `${text}${pick(random, ['', ' ', '\n', ',', ' 1', '{}', ']', '}'])}`,
];

function replaceAt(text: string, random: Random, replacement: string): string {
  const at = Math.floor(random() * text.length);
  return text.slice(0, at) + replacement + text.slice(at + 1);
}

function insertAt(text: string, random: Random, inserted: string): string {
  const at = Math.floor(random() * (text.length + 1));
  return text.slice(0, at) + inserted + text.slice(at);
}

/** Generated texts and their mutations; both valid and invalid ones in numbers. */
function corpus(seed: number, count: number): string[] {
  const random = mulberry32(seed);
  const texts = ['', ' ', '\n', '0', '"a"', 'true', ' null ', '-0.0e-0', '[]', '{}', nested(random, 65), nested(random, 200)];
  for (let i = 0; i < count; i++) {
    const text = i % 25 === 0 ? nested(random, 60 + Math.floor(random() * 80)) : generate(random, 1 + Math.floor(random() * 5));
    texts.push(text);
    for (let k = 0; k < 3; k++) texts.push(pick(random, MUTATIONS)(k === 0 ? text : (texts.at(-1) as string), random));
  }
  return texts;
}

describe('the JSON text check against JSON.parse', () => {
  const texts = corpus(2026, 1500);

  it('calls valid exactly what JSON.parse accepts, with its depth and whether it has line breaks', () => {
    let valid = 0;
    for (const text of texts) {
      const expected = expectedVerdict(text);
      expect(checkWhole(Buffer.from(text)), JSON.stringify(text)).toEqual(expected);
      if (expected.valid) valid++;
    }
    // Both kinds in numbers, or the comparison proves little.
    expect(valid).toBeGreaterThan(texts.length / 5);
    expect(texts.length - valid).toBeGreaterThan(texts.length / 5);
  });

  it('gives the same verdict in slices of 1, 7 and 4096 bytes as at once', () => {
    for (const text of texts) {
      const bytes = Buffer.from(text);
      const whole = checkWhole(bytes);
      for (const budget of [1, 7, 4096]) expect(inSlices(bytes, budget), `${JSON.stringify(text)} in slices of ${budget}`).toEqual(whole);
    }
  });

  it('checks bytes that are a view into a larger buffer, as pooled Buffers are, within the view only', () => {
    const random = mulberry32(7);
    for (let i = 0; i < 300; i++) {
      const text = generate(random, 3);
      // Quotes and backslashes around the view, reading past either end would change the verdict; its start falls on every alignment.
      const before = '"\\'.repeat(4) + '"'.repeat(i % 4);
      const pool = Buffer.from(`${before}${text}${'\\"'.repeat(4)}`);
      const view = new Uint8Array(pool.buffer, pool.byteOffset + before.length, Buffer.byteLength(text));
      expect(checkWhole(view), text).toEqual(expectedVerdict(text));
    }
  });

  it('agrees on Ons-shaped answers, their line-broken forms and every cut of them at a token', () => {
    for (const body of [onsObjectAnswer(4096), onsListAnswer(50 * 1024)]) {
      const text = body.toString();
      expect(checkWhole(body)).toEqual(expectedVerdict(text));
      const pretty = JSON.stringify(JSON.parse(text), null, 2).replace(/\n/g, '\r\n');
      expect(checkWhole(Buffer.from(pretty))).toEqual(expectedVerdict(pretty));
      for (let at = 0; at < Math.min(text.length, 4096); at += 13) expect(checkWhole(body.subarray(0, at)), `cut at ${at}`).toEqual({ valid: false });
    }
  });
});
