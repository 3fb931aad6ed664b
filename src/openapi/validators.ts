// JSON Schema validation for OpenAPI 3.0 schemas: ajv in draft-04 mode (boolean
// exclusiveMinimum, nullable) with ajv-formats. The whole document is registered once under
// an id, untouched; each schema is compiled on first use as a $ref into it, so its own
// "#/components/schemas/..." references resolve, and kept for the next exchange.
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { OpenApiDocument } from './document.js';

const DOCUMENT_ID = 'openapi-document';

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
      validator = this.#instance().compile({ $ref: `${DOCUMENT_ID}${encodePointer(pointer)}` });
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
    const ajv = new AjvDraft04.default({ strict: false, allErrors: true, logger: false, validateSchema: false, validateFormats: true });
    addFormats.default(ajv);
    ajv.addSchema(this.#document as object, DOCUMENT_ID);
    this.#ajv = ajv;
    return ajv;
  }
}

/** JSON pointer tokens escaped for a URI fragment: "/" as ~1 first, then what a URI may not hold. */
function encodePointer(pointer: string): string {
  return pointer.replace(/[{}%" <>\\^`|]/g, (character) => encodeURIComponent(character));
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
