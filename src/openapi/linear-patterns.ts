// The `pattern`s of an API document run in a linear-time engine (RE2, as re2js: plain
// JavaScript, no native build), never in the backtracking RegExp: a pattern such as
// ^(a+)+$ applied to a long query value would otherwise hold the event loop for minutes, and
// every exchange and /__proxy/health with it. A pattern RE2 cannot run (look-around,
// back-references) and a value longer than MAX_PATTERN_VALUE_LENGTH are not checked; the
// check says so instead of guessing.
import type { Options } from 'ajv';
import { RE2JS } from 're2js';

type RegExpEngine = NonNullable<NonNullable<Options['code']>['regExp']>;
type RegExpLike = ReturnType<RegExpEngine>;

/** Longer strings are not matched against a document's pattern (RE2 is linear, yet not free: ~0.1 µs a character). */
export const MAX_PATTERN_VALUE_LENGTH = 10_000;

/** Thrown by a pattern check that cannot run: the value is then reported as not checked, with this message. */
export class PatternNotChecked extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternNotChecked';
  }
}

function compiled(pattern: string): RE2JS | string {
  // A pattern that is no regular expression at all makes the schema uncompilable, as before
  // (building a RegExp runs nothing against a value).
  new RegExp(pattern, 'u');
  try {
    return RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch {
    return `the document's pattern ${JSON.stringify(shortPattern(pattern))} uses what only a backtracking engine runs (look-around, back-references), which could take unbounded time, so it is not applied`;
  }
}

function shortPattern(pattern: string): string {
  return pattern.length > 60 ? `${pattern.slice(0, 57)}...` : pattern;
}

/** ajv's `code.regExp`: every `pattern` and `patternProperties` of a document goes through it. */
export const linearPatterns: RegExpEngine = Object.assign(
  (pattern: string): RegExpLike => {
    const engine = compiled(pattern);
    const like: RegExpLike & { toString(): string } = {
      test(value: string): boolean {
        if (typeof engine === 'string') throw new PatternNotChecked(engine);
        if (value.length > MAX_PATTERN_VALUE_LENGTH) {
          throw new PatternNotChecked(`a value of ${value.length} characters is longer than the ${MAX_PATTERN_VALUE_LENGTH} the proxy matches against the document's pattern ${JSON.stringify(shortPattern(pattern))}`);
        }
        return engine.test(value);
      },
      // ajv shares one engine object per distinct pattern under this key.
      toString: () => `re2:${pattern}`,
    };
    return like;
  },
  // Only used by ajv's standalone code, which the proxy does not generate.
  { code: 'linearPatterns' },
);
