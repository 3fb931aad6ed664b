// The bytes of a record's JSON text, made once per record for every sink (traffic file,
// inspector). A JSON body goes in as its own bytes: parsing it and serialising it again was
// most of what recording a large JSON answer cost. A large base64 body goes in without
// JSON.stringify copying it onto V8's heap (it needs no escaping): a download's record
// holds 1.4 MB of it, and those copies piled up until the next full GC.
import { JsonBody } from './json-body.js';
import type { TrafficMessage, TrafficRecord } from './record.js';

const SPLICED_BASE64_BYTES = 64 * 1024;

const spliced = (message: TrafficMessage): boolean =>
  message.body instanceof JsonBody || (message.bodyEncoding === 'base64' && typeof message.body === 'string' && message.body.length >= SPLICED_BASE64_BYTES);

export function recordBytes(record: TrafficRecord): Buffer {
  if (!spliced(record.request) && !spliced(record.response)) return Buffer.from(JSON.stringify(record));
  const parts: Buffer[] = [];
  let text = '';
  // Field by field, in the record's own order, so fields added to the record come along.
  const object = (value: object, nested: boolean): void => {
    let first = true;
    text += '{';
    for (const [key, inner] of Object.entries(value)) {
      if (inner === undefined) continue;
      text += `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      if (inner instanceof JsonBody) {
        parts.push(Buffer.from(text), inner.text);
        text = '';
      } else if (nested && key === 'body' && spliced(value as TrafficMessage) && typeof inner === 'string') {
        parts.push(Buffer.from(`${text}"`), Buffer.from(inner, 'latin1'));
        text = '"';
      } else if (!nested && (key === 'request' || key === 'response')) {
        object(inner as object, true);
      } else {
        text += JSON.stringify(inner);
      }
    }
    text += '}';
  };
  object(record, false);
  parts.push(Buffer.from(text));
  return Buffer.concat(parts);
}
