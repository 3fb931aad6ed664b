// JSON read as text: the spans of values, never a parse of the whole. The page shows a body
// from its own text, so an id above 2^53 reads as recorded and `1.0` stays `1.0`, and a
// large body costs only the part that is opened.

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

export function skipSpace(text, at) {
  let position = at;
  while (position < text.length && WHITESPACE.has(text.charCodeAt(position))) position++;
  return position;
}

/** `at` is on the opening quote; the index after the closing one. */
export function skipString(text, at) {
  let position = at + 1;
  while (position < text.length) {
    const code = text.charCodeAt(position);
    if (code === 0x5c) position += 2;
    else if (code === 0x22) return position + 1;
    else position++;
  }
  return position;
}

/** The index after the value that starts at `at`. */
export function skipValue(text, at) {
  const first = text[at];
  if (first === '"') return skipString(text, at);
  if (first !== '{' && first !== '[') {
    let position = at;
    while (position < text.length && !',}]'.includes(text[position])) position++;
    while (position > at && WHITESPACE.has(text.charCodeAt(position - 1))) position--;
    return position;
  }
  let depth = 0;
  let position = at;
  while (position < text.length) {
    const char = text[position];
    if (char === '"') {
      position = skipString(text, position);
      continue;
    }
    if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return position + 1;
    }
    position++;
  }
  return position;
}

/**
 * The entries of the object or array at `start`: [{ key, start, end }] (key undefined in an
 * array), at most `max` of them, and whether there are more.
 */
export function entriesOf(text, start, max = Infinity) {
  const object = text[start] === '{';
  const close = object ? '}' : ']';
  const entries = [];
  let position = skipSpace(text, start + 1);
  while (position < text.length && text[position] !== close) {
    if (entries.length >= max) return { entries, more: true };
    let key;
    if (object) {
      const keyEnd = skipString(text, position);
      key = JSON.parse(text.slice(position, keyEnd));
      position = skipSpace(text, keyEnd) + 1;
      position = skipSpace(text, position);
    }
    const end = skipValue(text, position);
    entries.push({ key, start: position, end });
    position = skipSpace(text, end);
    if (text[position] === ',') position = skipSpace(text, position + 1);
  }
  return { entries, more: false };
}

/** The span of member `name` of the object at `start`, or undefined. */
export function memberSpan(text, start, name) {
  if (text[start] !== '{') return undefined;
  let position = skipSpace(text, start + 1);
  while (position < text.length && text[position] !== '}') {
    const keyEnd = skipString(text, position);
    const key = JSON.parse(text.slice(position, keyEnd));
    position = skipSpace(text, skipSpace(text, keyEnd) + 1);
    const end = skipValue(text, position);
    if (key === name) return { start: position, end };
    position = skipSpace(text, end);
    if (text[position] === ',') position = skipSpace(text, position + 1);
  }
  return undefined;
}

/** The text of `record[side].body` inside a record's text: a JSON body as recorded. */
export function bodyTextOf(recordText, side) {
  const message = memberSpan(recordText, skipSpace(recordText, 0), side);
  const body = message && memberSpan(recordText, message.start, 'body');
  return body ? recordText.slice(body.start, body.end) : undefined;
}
