// JSON values whose numbers keep every digit. JSON.parse turns an Ons int64 id above 2^53
// (9007199254740993) into a nearby double (…992); where a recorded body must be parsed and
// written again (masking fields, a fixture's readable value), numbers that a double cannot
// hold stay LosslessNumber objects holding their own digits.
import { isLosslessNumber, isSafeNumber, LosslessNumber, parse, stringify } from 'lossless-json';

export { isLosslessNumber };

/** Safe numbers as plain numbers (so the value reads like JSON.parse's), the rest as LosslessNumber. */
function number(text: string): number | LosslessNumber {
  return isSafeNumber(text) ? Number(text) : new LosslessNumber(text);
}

/** `numbersAsWritten`: every number keeps its own text (1.0 stays 1.0), for showing a body rather than working on it. */
export function parseLossless(text: string, numbersAsWritten = false): unknown {
  return numbersAsWritten ? parse(text) : parse(text, null, number);
}

/** Compact JSON text; LosslessNumbers are written with their own digits. */
export function stringifyLossless(value: unknown, space?: number): string {
  return stringify(value, null, space) ?? 'null';
}

// 16 significant digits are the fewest a double may not hold exactly (2^53 has 16); a text
// with no such run (a dot allowed between them) holds only numbers JSON.parse keeps.
const LONG_NUMBER = /\d(?:\.?\d){15}/;

/** Whether JSON.parse may change a number of this text: cheap, and false for nearly every body. */
export function mayHoldUnsafeNumbers(text: string): boolean {
  return LONG_NUMBER.test(text);
}

/** Whether every number of this JSON text survives JSON.parse (1.0 does: it is the value 1; 9007199254740993 does not). */
export function numbersSurviveParse(text: string): boolean {
  if (!mayHoldUnsafeNumbers(text)) return true;
  let safe = true;
  parse(text, null, (digits) => {
    if (!isSafeNumber(digits)) safe = false;
    return 0;
  });
  return safe;
}
