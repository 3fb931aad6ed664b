// JSON Schema validation for OpenAPI 3.0 schemas: ajv in draft-04 mode (boolean
// exclusiveMinimum, nullable) with ajv-formats. Each component schema is registered under an
// id of its own, its "#/components/schemas/..." references rewritten to those ids: ajv then
// compiles a model once and every operation that reaches it shares the result. (Compiling
// $refs into one registered document recompiled the whole model graph for every operation:
// half a second each with an Ons-sized document; inlineRefs: false keeps referenced models
// their own functions, so they are shared rather than copied into every caller.) A schema is
// compiled on first use and kept.
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { OpenApiDocument } from './document.js';

const SCHEMA_ID = 'https://schemas.openapi.invalid/';
const COMPONENT_REF = '#/components/schemas/';

export interface SchemaProblem {
  /** JSON pointer into the checked value, "" for the value itself. */
  readonly instancePath: string;
  readonly message: string;
}

export class SchemaValidators {
  readonly #document: OpenApiDocument;
  #ajv: InstanceType<typeof AjvDraft04.default> | undefined;
  readonly #compiled = new Map<string, ValidateFunction | null>();

  constructor(document: OpenApiDocument) {
    this.#document = document;
  }

  /** Problems of `value` against the schema at `pointer` ("#/paths/..."); none when the schema cannot be compiled. */
  validate(pointer: string, value: unknown): SchemaProblem[] {
    const validator = this.#validator(pointer);
    if (!validator || validator(value)) return [];
    return (validator.errors ?? []).map(describeError);
  }

  #validator(pointer: string): ValidateFunction | null {
    const known = this.#compiled.get(pointer);
    if (known !== undefined) return known;
    let validator: ValidateFunction | null;
    try {
      const ajv = this.#instance();
      const schema = resolvePointer(this.#document, pointer);
      validator = schema === undefined ? null : ajv.compile(withComponentIds(schema) as object);
    } catch {
      // A schema ajv cannot compile (a dangling $ref, an unknown construct) is not checked at all:
      // an advisory check must never invent findings about the document's own faults.
      validator = null;
    }
    this.#compiled.set(pointer, validator);
    return validator;
  }

  #instance(): InstanceType<typeof AjvDraft04.default> {
    if (this.#ajv) return this.#ajv;
    const ajv = new AjvDraft04.default({ strict: false, allErrors: true, logger: false, validateSchema: false, validateFormats: true, inlineRefs: false });
    addFormats.default(ajv);
    const schemas = this.#document.components?.schemas ?? {};
    for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(withComponentIds(schema) as object, componentId(name));
    this.#ajv = ajv;
    return ajv;
  }
}

function componentId(name: string): string {
  return `${SCHEMA_ID}${encodeURIComponent(name)}`;
}

/** A copy of `schema` whose component references name the components' own ids. */
function withComponentIds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withComponentIds);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] = key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_REF) ? componentId(decodeToken(value.slice(COMPONENT_REF.length))) : withComponentIds(value);
  }
  return copy;
}

function resolvePointer(document: OpenApiDocument, pointer: string): unknown {
  let node: unknown = document;
  for (const token of pointer.replace(/^#\//, '').split('/')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[decodeToken(token)];
  }
  return node;
}

function decodeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function describeError(error: ErrorObject): SchemaProblem {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { instancePath: `${error.instancePath}/${String(params.missingProperty)}`, message: 'required field is missing' };
    case 'enum':
      return { instancePath: error.instancePath, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'additionalProperties':
      return { instancePath: `${error.instancePath}/${String(params.additionalProperty)}`, message: 'not allowed by the model (additionalProperties: false)' };
    default:
      return { instancePath: error.instancePath, message: error.message ?? `fails "${error.keyword}"` };
  }
}

/** "#/paths/~1v0~1clients/get" from the parts of a JSON pointer. */
export function pointerOf(...tokens: readonly string[]): string {
  return `#/${tokens.map((token) => token.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}
