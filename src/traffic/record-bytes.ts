// The bytes of a record's JSON text, made once per record for every sink (traffic file,
// inspector). A JSON body goes in as its own bytes: parsing it and serialising it again was
// most of what recording a large JSON answer cost.
import { JsonBody } from './json-body.js';
import type { TrafficRecord } from './record.js';

export function recordBytes(record: TrafficRecord): Buffer {
  if (!(record.request.body instanceof JsonBody) && !(record.response.body instanceof JsonBody)) return Buffer.from(JSON.stringify(record));
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
