// A record as text for a person or a pipe, with JSON bodies as their own text: `logs --json`
// gives the line as recorded, `logs --id` an indented record whose body keeps every digit.
import { JsonBody } from './json-body.js';
import { parseLossless, stringifyLossless } from './lossless.js';
import { recordBytes } from './record-bytes.js';
import type { TrafficMessage, TrafficRecord } from './record.js';

/** One line of JSON, bodies byte for byte as recorded (read the record with exactBodies). */
export function recordLine(record: TrafficRecord): string {
  return recordBytes(record).toString('utf8');
}

const MARK = '\u0000ons-proxy body\u0000';

/**
 * The record indented by two spaces. A JSON body is indented too, with its numbers as
 * written (an int64 id keeps its digits, 1.0 stays 1.0); its spacing is the indentation's.
 */
export function prettyRecord(record: TrafficRecord): string {
  const bodies: string[] = [];
  const marked = (message: TrafficMessage): TrafficMessage => {
    if (!(message.body instanceof JsonBody)) return message;
    bodies.push(stringifyLossless(parseLossless(message.body.text.toString('utf8'), true), 2));
    return { ...message, body: MARK };
  };
  let text = JSON.stringify({ ...record, request: marked(record.request), response: marked(record.response) }, null, 2);
  for (const body of bodies) {
    const at = text.indexOf(JSON.stringify(MARK));
    // The body sits two levels deep (record > message > body): its own lines move in by four spaces.
    text = `${text.slice(0, at)}${body.split('\n').join('\n    ')}${text.slice(at + JSON.stringify(MARK).length)}`;
  }
  return text;
}
