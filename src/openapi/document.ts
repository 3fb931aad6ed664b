// The OpenAPI document as the proxy reads it: parsed once, checked for the parts the index
// relies on, never validated in full (a 3 MB document against the OpenAPI meta-schema costs
// seconds, and Ons's own document would not pass: its examples break their own formats).
import { parseJsonText } from '../files/index.js';

/** A JSON Schema object as OpenAPI 3.0 writes it (nullable, boolean exclusiveMinimum, $ref). */
export type SchemaObject = { readonly [keyword: string]: unknown };

export interface ParameterObject {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: SchemaObject;
  readonly description?: string;
  readonly $ref?: string;
}

export interface MediaTypeObject {
  readonly schema?: SchemaObject;
}

export interface RequestBodyObject {
  readonly required?: boolean;
  readonly content?: Readonly<Record<string, MediaTypeObject>>;
  readonly $ref?: string;
}

export interface ResponseObject {
  readonly description?: string;
  readonly content?: Readonly<Record<string, MediaTypeObject>>;
  readonly $ref?: string;
}

export interface OperationObject {
  readonly operationId?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly deprecated?: boolean;
  readonly parameters?: readonly ParameterObject[];
  readonly requestBody?: RequestBodyObject;
  readonly responses?: Readonly<Record<string, ResponseObject>>;
  /** Ons's current document: the old paths this operation replaced. */
  readonly 'x-replacement-for'?: readonly string[];
  /** Ons's older document: the path (no method) that replaced this deprecated operation. */
  readonly 'x-replaced-by'?: string;
  /** Ons's older document: DD-MM-YYYY. */
  readonly 'x-deprecated-since'?: string;
}

export type PathItemObject = { readonly parameters?: readonly ParameterObject[] } & { readonly [method: string]: unknown };

export interface OpenApiDocument {
  readonly openapi: string;
  readonly info?: { readonly title?: string; readonly version?: string };
  readonly paths: Readonly<Record<string, PathItemObject>>;
  readonly components?: { readonly [section: string]: Readonly<Record<string, unknown>> | undefined };
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A document that cannot be used: the message says what is wrong, for one line naming the source. */
export class OpenApiDocumentError extends Error {
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`OpenAPI document ${source} is not used: ${reason}`);
  }
}

/** Parses and checks a document's text; throws OpenApiDocumentError saying what is wrong. */
export function parseDocument(text: string, source: string): OpenApiDocument {
  const parsed = parseJsonText(text, 'it');
  if (!parsed.ok) {
    const hint = /^\s*(openapi|swagger)\s*:/m.test(text) ? ' (it looks like YAML: give the JSON form of the document)' : '';
    // Named by position only: the parser's own message quotes the text, which may be any file.
    throw new OpenApiDocumentError(source, `${parsed.message.replace(/^it is not valid JSON/, 'it is not JSON')}${hint}`);
  }
  const raw: unknown = parsed.value;
  checkDocument(raw, source);
  return raw;
}

function checkDocument(raw: unknown, source: string): asserts raw is OpenApiDocument {
  const fail = (reason: string): never => {
    throw new OpenApiDocumentError(source, reason);
  };
  if (!isObject(raw)) return fail('it is not a JSON object');
  if (typeof raw.swagger === 'string') return fail(`it is Swagger ${raw.swagger}, not OpenAPI 3.0 or 3.1: convert it first (e.g. with swagger2openapi)`);
  if (typeof raw.openapi !== 'string') return fail('it has no "openapi" version field, so it is not an OpenAPI document');
  if (!/^3\.[01]\.\d+/.test(raw.openapi)) return fail(`"openapi" is "${raw.openapi}"; the proxy reads OpenAPI 3.0 and 3.1 documents`);
  if (!isObject(raw.paths)) return fail('it has no "paths" object');
  if (raw.components !== undefined && !isObject(raw.components)) return fail('"components" is not an object');
  for (const [template, item] of Object.entries(raw.paths)) {
    if (!template.startsWith('/')) return fail(`the path "${template}" does not start with "/"`);
    if (!isObject(item)) return fail(`paths["${template}"] is not an object`);
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      if (!isObject(operation)) return fail(`${method.toUpperCase()} ${template} is not an operation object`);
      if (operation.parameters !== undefined && !Array.isArray(operation.parameters)) return fail(`${method.toUpperCase()} ${template}: "parameters" is not a list`);
      const replaced = operation['x-replacement-for'];
      if (replaced !== undefined && !(Array.isArray(replaced) && replaced.every((entry) => typeof entry === 'string'))) {
        return fail(`${method.toUpperCase()} ${template}: "x-replacement-for" is not a list of paths`);
      }
    }
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows a local "$ref" ("#/components/parameters/limit") to the object it names; undefined when it leads nowhere. */
export function resolveLocalRef(document: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    if (!isObject(node)) return undefined;
    node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** The object itself, or the one its "$ref" names. */
export function dereference<T extends { readonly $ref?: string }>(document: OpenApiDocument, value: T): T | undefined {
  if (typeof value.$ref !== 'string') return value;
  const target = resolveLocalRef(document, value.$ref);
  return isObject(target) ? (target as T) : undefined;
}
