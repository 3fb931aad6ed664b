// JSON Schema validation for OpenAPI 3.0 schemas: ajv in draft-04 mode (boolean
// exclusiveMinimum, nullable) with ajv-formats. Each component schema is registered under an
// id of its own, its "#/components/schemas/..." references rewritten to those ids: ajv then
// compiles a model once and every operation that reaches it shares the result. (Compiling
// $refs into one registered document recompiled the whole model graph for every operation:
// half a second each with an Ons-sized document; inlineRefs: false keeps referenced models
// their own functions, so they are shared rather than copied into every caller.) A schema is
// compiled on first use and kept; preparationSteps() splits that work into pieces of a few
// milliseconds, so the proxy does it between exchanges instead of blocking them. One piece is
// one model, so a model is bounded in size (MAX_MODEL_NODES): a document with a model of tens
// of thousands of properties would otherwise hold the exchanges for seconds on its first
// call; such a model is not checked, and the check says so. Patterns run in a linear-time
// engine (linear-patterns.ts).
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { OpenApiDocument } from './document.js';
import { PatternNotChecked, linearPatterns } from './linear-patterns.js';

const SCHEMA_ID = 'https://schemas.openapi.invalid/';
const COMPONENT_REF = '#/components/schemas/';

export interface SchemaProblem {
  /** JSON pointer into the checked value, "" for the value itself. */
  readonly instancePath: string;
  readonly message: string;
}

/** The problems of a value, or why it could not be checked at all (the document's schema defeats the validator). */
export type Validation = { readonly problems: SchemaProblem[] } | { readonly unchecked: string };

type Ajv = InstanceType<typeof AjvDraft04.default>;
type Compiled = { readonly validate: ValidateFunction } | { readonly unchecked: string } | null;

/** One bounded piece of preparation: at most one schema compiled, or a batch of components registered. */
export type PreparationStep = () => void;

const REGISTER_BATCH = 40;

/**
 * Schema objects one model (or an operation's own schema) may hold to be compiled: ajv's
 * compile costs up to half a millisecond per property on a busy machine, so this keeps one
 * piece of preparation to a few hundred milliseconds at worst. Ons's models hold far fewer.
 */
export const MAX_MODEL_NODES = 1000;

export class SchemaValidators {
  readonly #document: OpenApiDocument;
  #ajv: Ajv | undefined;
  /** Components registered so far, in the document's order; the instance is usable once all are. */
  #registered = 0;
  readonly #componentNames: readonly string[];
  readonly #compiled = new Map<string, Compiled>();
  /** Components ajv would not register, or too large to compile, with the reason. */
  readonly #refused = new Map<string, string>();
  /** Components measured against MAX_MODEL_NODES. */
  readonly #measured = new Set<string>();

  constructor(document: OpenApiDocument) {
    this.#document = document;
    this.#componentNames = Object.keys(document.components?.schemas ?? {});
  }

  /** Problems of `value` against the schema at `pointer` ("#/paths/..."); compiles it now if no preparation did. */
  validate(pointer: string, value: unknown): Validation {
    const compiled = this.#compile(pointer);
    if (compiled === null) return { problems: [] };
    if ('unchecked' in compiled) return compiled;
    try {
      if (compiled.validate(value)) return { problems: [] };
    } catch (error) {
      return { unchecked: uncheckableReason(error) };
    }
    return { problems: (compiled.validate.errors ?? []).map(describeError) };
  }

  /** True when validating against every one of `pointers` costs no compiling. */
  ready(pointers: readonly string[]): boolean {
    return this.#registered === this.#componentNames.length && this.#ajv !== undefined && pointers.every((pointer) => this.#compiled.has(pointer));
  }

  /**
   * The steps that make `pointers` ready, each small: registering the components in batches,
   * then compiling the models each pointer reaches deepest first, so no compile recurses into
   * another (one model per step, and ajv never walks a long $ref chain on the stack).
   */
  preparationSteps(pointers: readonly string[]): PreparationStep[] {
    const steps: PreparationStep[] = [];
    const batches = Math.max(this.#ajv ? 0 : 1, Math.ceil((this.#componentNames.length - this.#registered) / REGISTER_BATCH));
    for (let batch = 0; batch < batches; batch++) steps.push(() => this.#register(REGISTER_BATCH));
    const planned = new Set<string>();
    for (const pointer of pointers) {
      if (this.#compiled.has(pointer)) continue;
      const schema = resolvePointer(this.#document, pointer);
      for (const name of componentsDeepestFirst(this.#document, schema)) {
        if (planned.has(name)) continue;
        planned.add(name);
        steps.push(() => this.#compileComponent(name));
      }
      steps.push(() => void this.#compile(pointer));
    }
    return steps;
  }

  #compile(pointer: string): Compiled {
    const known = this.#compiled.get(pointer);
    if (known !== undefined) return known;
    let compiled: Compiled;
    const schema = resolvePointer(this.#document, pointer);
    const tooLarge = schema === undefined ? undefined : this.#tooLarge(schema);
    if (schema === undefined) compiled = null;
    else if (tooLarge !== undefined) compiled = { unchecked: tooLarge };
    else {
      try {
        compiled = { validate: this.#instance().compile(withComponentIds(schema) as object) };
      } catch (error) {
        const refused = componentsDeepestFirst(this.#document, schema).find((name) => this.#refused.has(name));
        compiled = { unchecked: refused === undefined ? uncheckableReason(error) : `${this.#refused.get(refused) ?? ''} (model ${refused})` };
      }
    }
    this.#compiled.set(pointer, compiled);
    return compiled;
  }

  /** Why `schema` is not compiled: it, or a model it reaches, is larger than MAX_MODEL_NODES. */
  #tooLarge(schema: unknown): string | undefined {
    if (exceedsNodes(schema, MAX_MODEL_NODES)) return tooLargeReason("the operation's own schema");
    for (const name of componentsDeepestFirst(this.#document, schema)) {
      const refused = this.#componentTooLarge(name);
      if (refused !== undefined) return refused;
    }
    return undefined;
  }

  /** Measures a model once; a model that is too large stays refused. */
  #componentTooLarge(name: string): string | undefined {
    if (!this.#measured.has(name)) {
      this.#measured.add(name);
      if (exceedsNodes(this.#document.components?.schemas?.[name], MAX_MODEL_NODES)) this.#refused.set(name, tooLargeReason(`the model ${name}`));
    }
    const refused = this.#refused.get(name);
    return refused?.startsWith(TOO_LARGE) ? refused : undefined;
  }

  #compileComponent(name: string): void {
    if (this.#componentTooLarge(name) !== undefined) return;
    // Compiling a model compiles the models it names: one that reaches a model too large is
    // not compiled either. The steps run deepest first, so its references are measured already.
    for (const reference of componentRefs(this.#document.components?.schemas?.[name])) {
      const refused = this.#componentTooLarge(reference);
      if (refused !== undefined) {
        this.#refused.set(name, refused);
        return;
      }
    }
    try {
      this.#instance().getSchema(componentId(name));
    } catch {
      // Said on every pointer that reaches it: compiling that pointer meets the same fault.
    }
  }

  #instance(): Ajv {
    while (this.#ajv === undefined || this.#registered < this.#componentNames.length) this.#register(this.#componentNames.length);
    return this.#ajv;
  }

  #register(count: number): void {
    if (!this.#ajv) {
      const ajv = new AjvDraft04.default({ strict: false, allErrors: true, logger: false, validateSchema: false, validateFormats: true, inlineRefs: false, code: { regExp: linearPatterns } });
      addFormats.default(ajv);
      this.#ajv = ajv;
    }
    const schemas = this.#document.components?.schemas ?? {};
    const end = Math.min(this.#componentNames.length, this.#registered + count);
    for (; this.#registered < end; this.#registered++) {
      const name = this.#componentNames[this.#registered] as string;
      // A model too large to compile is not registered either: that alone walks and copies all of it.
      if (this.#componentTooLarge(name) !== undefined) continue;
      try {
        this.#ajv.addSchema(withComponentIds(schemas[name]) as object, componentId(name));
      } catch (error) {
        // A component ajv refuses stays unregistered: a pointer reaching it is not checked and says why.
        this.#refused.set(name, uncheckableReason(error));
      }
    }
  }
}

/** Why a schema could not be used, in words for the record. */
function uncheckableReason(error: unknown): string {
  if (error instanceof PatternNotChecked) return error.message;
  if (error instanceof RangeError) return 'the schema nests or chains $refs too deeply for the validator, which ran out of stack';
  return `the validator cannot compile the schema: ${(error as Error).message}`;
}

const TOO_LARGE = 'too large to check';

function tooLargeReason(what: string): string {
  return `${TOO_LARGE}: ${what} holds more than ${MAX_MODEL_NODES} schema objects, and compiling it would hold up every exchange`;
}

/** True when `schema` holds more than `limit` objects (its own, not following $refs); stops counting there. */
function exceedsNodes(schema: unknown, limit: number): boolean {
  let count = 0;
  const pending: unknown[] = [schema];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (++count > limit) return true;
    for (const key in node) {
      const value = (node as Record<string, unknown>)[key];
      if (typeof value === 'object' && value !== null) pending.push(value);
    }
  }
  return false;
}

/** The component models `schema` reaches, each after every model it reaches (cycles broken where met). Iterative: chains may be thousands deep. */
function componentsDeepestFirst(document: OpenApiDocument, schema: unknown): string[] {
  const schemas = document.components?.schemas ?? {};
  const order: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  type Frame = { readonly name: string | undefined; readonly refs: string[] };
  const stack: Frame[] = [{ name: undefined, refs: componentRefs(schema) }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const next = frame.refs.pop();
    if (next === undefined) {
      stack.pop();
      if (frame.name !== undefined) {
        state.set(frame.name, 'done');
        order.push(frame.name);
      }
      continue;
    }
    if (state.has(next) || schemas[next] === undefined) continue;
    state.set(next, 'open');
    stack.push({ name: next, refs: componentRefs(schemas[next]) });
  }
  return order;
}

/** The component names a schema's own $refs name (not following them). */
function componentRefs(schema: unknown): string[] {
  const names: string[] = [];
  const pending: unknown[] = [schema];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...node);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_REF)) names.push(decodeToken(value.slice(COMPONENT_REF.length)));
        else if (typeof value === 'object') pending.push(value);
      }
    }
  }
  return names.reverse();
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
