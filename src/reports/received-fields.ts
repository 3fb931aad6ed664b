// Which fields of an answer model the integration actually received: the field list the
// Technical Design asks for per endpoint. Read from the recorded answer bodies, so a field
// the API never sent (filtered, or empty in this data) is not on the list.
import { isObject, resolveLocalRef, type ApiIndex } from '../openapi/index.js';
import type { RecordedAnswer } from './used-exchange.js';

/**
 * Adds the field paths of one JSON value: `address.city` for nested objects; the elements of
 * an array are merged, so `[{id}, {id, bsn}]` gives `id` and `bsn`.
 */
export function collectFieldPaths(value: unknown, into: Set<string>, prefix = ''): void {
  if (Array.isArray(value)) {
    for (const element of value) collectFieldPaths(element, into, prefix);
    return;
  }
  if (!isObject(value)) {
    if (prefix !== '') into.add(prefix);
    return;
  }
  const entries = Object.entries(value);
  if (entries.length === 0 && prefix !== '') into.add(prefix);
  for (const [name, field] of entries) {
    const fieldPath = prefix === '' ? name : `${prefix}.${name}`;
    const nested = Array.isArray(field) ? field.some((element) => isObject(element) || Array.isArray(element)) : isObject(field) && Object.keys(field).length > 0;
    if (nested) collectFieldPaths(field, into, fieldPath);
    else into.add(fieldPath);
  }
}

/** The JSON values of a recorded answer body: the body itself, or each line of an NDJSON stream. */
export function answerValues(answer: RecordedAnswer): unknown[] {
  if (answer.bodyEncoding === 'json') return [answer.body];
  if (answer.bodyEncoding !== 'text' || typeof answer.body !== 'string' || answer.bodyTruncated) return [];
  const type = answer.headers['content-type'];
  if (!String(type ?? '').toLowerCase().includes('ndjson')) return [];
  const values: unknown[] = [];
  for (const line of answer.body.split('\n')) {
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      // A line cut or garbled in transit has no fields to give.
    }
  }
  return values;
}

/**
 * The model an operation's answer with this status is, by its schema name: the element's model
 * for a list (`administration.Client` for `administration.list.ClientList`), since that is the
 * model whose fields a Technical Design selects. Undefined when the document names none.
 */
export function answerModelName(api: ApiIndex | undefined, method: string, template: string, status: number): string | undefined {
  const operation = api?.index.byMethodAndPath(method, template);
  if (!api || !operation) return undefined;
  const responses = operation.operation.responses ?? {};
  const raw = responses[String(status)] ?? responses[`${Math.floor(status / 100)}XX`] ?? responses.default;
  const response = isObject(raw) && typeof raw.$ref === 'string' ? resolveLocalRef(api.document, raw.$ref) : raw;
  if (!isObject(response) || !isObject(response.content)) return undefined;
  const media = Object.entries(response.content).find(([type]) => /json/i.test(type))?.[1];
  const schema = isObject(media) ? media.schema : undefined;
  if (!isObject(schema)) return undefined;
  const named = typeof schema.$ref === 'string' ? schema.$ref : undefined;
  const target = named === undefined ? schema : resolveLocalRef(api.document, named);
  const items = isObject(target) && target.type === 'array' && isObject(target.items) ? target.items : undefined;
  const element = items && typeof items.$ref === 'string' ? items.$ref : undefined;
  const ref = element ?? named;
  return ref === undefined ? undefined : ref.slice(ref.lastIndexOf('/') + 1);
}
