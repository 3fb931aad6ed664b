// The one place that knows an operation's answers: which statuses it declares, with which
// media types and schemas, and which one is "the" answer (the lowest 2xx, as Prism's
// findLowest2xx). The mock generates from it; checks and reports may ask it too.
import { isObject, resolveLocalRef, type OpenApiDocument, type SchemaObject } from './document.js';
import type { ApiOperation } from './operations.js';
import { pointerOf } from './validators.js';

const NDJSON_MEDIA = /^application\/(?:x-)?ndjson$/i;
const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$/i;

export interface ResponseContent {
  /** e.g. application/json */
  readonly media: string;
  /** Where its schema is ("#/paths/.../schema"), for the validators; undefined when it declares none. */
  readonly schemaPointer: string | undefined;
  readonly schema: SchemaObject | undefined;
  /** The media type's own example, if any. */
  readonly example: unknown;
  /** Its named examples (`examples`), values resolved. */
  readonly examples: Readonly<Record<string, unknown>>;
  readonly ndjson: boolean;
}

export interface OperationResponse {
  /** As the document writes it: "200", "2XX", "default". */
  readonly key: string;
  /** The status it stands for: the number, the range's first (2XX -> 200), undefined for default. */
  readonly status: number | undefined;
  readonly description: string | undefined;
  readonly contents: readonly ResponseContent[];
}

/** Every answer `operation` declares, in the document's order; $refs followed. */
export function operationResponses(document: OpenApiDocument, operation: ApiOperation): OperationResponse[] {
  const responses = operation.operation.responses;
  if (!isObject(responses)) return [];
  return Object.keys(responses).map((key) => {
    const raw = responses[key];
    const base = isObject(raw) && typeof raw.$ref === 'string' ? raw.$ref : pointerOf('paths', operation.path, operation.method.toLowerCase(), 'responses', key);
    const response = isObject(raw) && typeof raw.$ref === 'string' ? resolveLocalRef(document, raw.$ref) : raw;
    const contents: ResponseContent[] = [];
    if (isObject(response) && isObject(response.content)) {
      for (const [media, content] of Object.entries(response.content)) {
        if (!isObject(content)) continue;
        const schema = isObject(content.schema) ? (content.schema as SchemaObject) : undefined;
        contents.push({
          media,
          schemaPointer: schema === undefined ? undefined : `${base}/content/${media.replace(/~/g, '~0').replace(/\//g, '~1')}/schema`,
          schema,
          example: content.example,
          examples: namedExamples(document, content.examples),
          ndjson: NDJSON_MEDIA.test(media),
        });
      }
    }
    return { key, status: statusOf(key), description: isObject(response) && typeof response.description === 'string' ? response.description : undefined, contents };
  });
}

/** The lowest declared 2xx (an exact status before a 2XX range), or undefined. */
export function lowest2xx(responses: readonly OperationResponse[]): OperationResponse | undefined {
  const success = responses.filter((response) => response.status !== undefined && response.status >= 200 && response.status < 300);
  success.sort((a, b) => (a.status ?? 0) - (b.status ?? 0) || Number(/X/i.test(a.key)) - Number(/X/i.test(b.key)));
  return success[0];
}

/** The answer declared for `status`: exact, then its range (4XX), then default. */
export function responseFor(responses: readonly OperationResponse[], status: number): OperationResponse | undefined {
  const range = `${String(status)[0]}XX`;
  return (
    responses.find((response) => response.key === String(status)) ??
    responses.find((response) => response.key.toUpperCase() === range) ??
    responses.find((response) => response.key === 'default')
  );
}

/** The content to answer with: one the Accept header names, else JSON, else the first declared. */
export function pickContent(response: OperationResponse, accept: string | undefined): ResponseContent | undefined {
  const wanted = (accept ?? '')
    .split(',')
    .map((part) => part.split(';', 1)[0]?.trim().toLowerCase() ?? '')
    .filter((type) => type !== '' && type !== '*/*');
  return (
    response.contents.find((content) => wanted.includes(content.media.toLowerCase())) ??
    response.contents.find((content) => JSON_MEDIA.test(content.media)) ??
    response.contents[0]
  );
}

function statusOf(key: string): number | undefined {
  if (/^[1-5]\d\d$/.test(key)) return Number(key);
  if (/^[1-5]XX$/i.test(key)) return Number(key[0]) * 100;
  return undefined;
}

function namedExamples(document: OpenApiDocument, raw: unknown): Record<string, unknown> {
  const examples: Record<string, unknown> = {};
  if (!isObject(raw)) return examples;
  for (const [name, entry] of Object.entries(raw)) {
    const example = isObject(entry) && typeof entry.$ref === 'string' ? resolveLocalRef(document, entry.$ref) : entry;
    if (isObject(example) && 'value' in example) examples[name] = example.value;
  }
  return examples;
}
