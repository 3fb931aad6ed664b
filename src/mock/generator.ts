// Answers generated from the API document. openapi-sampler makes one template per answer
// schema (every field filled, the schema's own examples, enums and formats first, cycles cut);
// each request then shapes a copy of it: as many list items as asked (limit/offset), ids from
// the seed, the path's parameters carried into the answer (GET /clients/42 answers id 42).
// Every generated body is checked against its schema with the project's validators before it
// goes out; a schema that cannot be met is said (mock_cannot_generate), never answered empty.
import { sample } from 'openapi-sampler';
import { isObject, parametersOf, type ApiIndex, type ApiOperation, type ResponseContent, type SchemaObject, type SchemaValidators } from '../openapi/index.js';
import { routeParamName } from '../openapi/index.js';
import { seededRandom, type Random } from './random.js';
import { samplingDocument, forSampling, type ExampleUse } from './sampling-document.js';

/** Items of a list answer without a `limit` parameter, and of an NDJSON stream. */
export const DEFAULT_ITEMS = 3;
/** At most this many items per answer, whatever `limit` asks. */
export const MAX_ITEMS = 100;
/** How many entries a paged list holds in all: offsets past it get an empty page, so a sync ends. */
export const COLLECTION_SIZE = 250;
/** Items of a list inside an answer (a client's addresses). */
const NESTED_ITEMS = 2;
const MAX_NESTED_DEPTH = 4;
const ID_KEY = /^(?:id|.+Id|.+_id|.+ID)$/;
const DIGITS = /^-?\d{1,15}$/;
const JSON_MEDIA = /json/i;
const SAMPLER_OPTIONS = { skipWriteOnly: true, quiet: true, enablePatterns: true } as const;
/** Answers kept for requests asked again (oldest dropped first). */
const RECENT_ANSWERS = 512;
/** How often a template is pruned before the mock gives up on its schema. */
const MAX_PRUNING_ROUNDS = 50;

/** A generated body, or why the schema at `pointer` cannot be met. */
export type GeneratedBody = { readonly text: string } | { readonly cannot: { readonly pointer: string; readonly reason: string } };

type Template = { readonly value: unknown } | { readonly cannot: { readonly pointer: string; readonly reason: string } };

export interface GenerateRequest {
  readonly operation: ApiOperation;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Seeds the answer: the same key gives the same bytes. */
  readonly key: string;
  /** Varied data (Prefer: dynamic=true): list ids too come from the key, not from the operation. */
  readonly dynamic: boolean;
}

export class MockGenerator {
  readonly #api: ApiIndex;
  readonly #seed: number;
  readonly #templates = new Map<string, Template>();
  /** Recent answers by request: a client that asks the same again gets the bytes made before (they would be the same). */
  readonly #recent = new Map<string, GeneratedBody>();
  #withExamples: Record<string, unknown> | undefined;
  #withoutExamples: Record<string, unknown> | undefined;

  constructor(api: ApiIndex, seed: number) {
    this.#api = api;
    this.#seed = seed;
  }

  get #validators(): SchemaValidators {
    return this.#api.checks.validators;
  }

  /** The body for `content` of `request`'s operation; JSON text, or NDJSON lines. */
  body(request: GenerateRequest, content: ResponseContent): GeneratedBody {
    if (request.dynamic) return this.#made(request, content);
    const key = `${content.schemaPointer ?? ''}\u0000${content.media}\u0000${request.key}`;
    const known = this.#recent.get(key);
    if (known) return known;
    const made = this.#made(request, content);
    if (this.#recent.size >= RECENT_ANSWERS) this.#recent.delete(this.#recent.keys().next().value as string);
    this.#recent.set(key, made);
    return made;
  }

  #made(request: GenerateRequest, content: ResponseContent): GeneratedBody {
    const pointer = content.schemaPointer;
    if (pointer === undefined || content.schema === undefined) return { text: '' };
    const template = this.#template(pointer, content.schema);
    if ('cannot' in template) return template;
    const random = seededRandom(this.#seed, request.key, pointer);
    // List items are numbered from a base of the seed's: the same entry keeps its id on every page and every run.
    const firstId = 1 + Math.floor(seededRandom(this.#seed, request.dynamic ? request.key : request.operation.id)() * 900_000);
    const count = itemCount(this.#api, request.operation, request.query, content.ndjson || Array.isArray(template.value));
    const carried = carriedParameters(request.operation, request.params);
    const build = (vary: boolean): unknown => {
      const shape = (item: unknown, id: number | undefined): unknown => shapeItem(item, vary ? random : undefined, id, carried);
      if (content.ndjson) return Array.from({ length: count.items }, (_, index) => shape(template.value, firstId + count.first + index));
      if (!Array.isArray(template.value)) return shape(template.value, undefined);
      const [item] = template.value;
      return item === undefined ? [] : Array.from({ length: count.items }, (_, index) => shape(item, firstId + count.first + index));
    };
    if (content.ndjson) {
      const lines = this.#checked(pointer, build, template.value, true) as unknown[];
      return { text: lines.length === 0 ? '' : `${lines.map((line) => JSON.stringify(line)).join('\n')}\n` };
    }
    const checked = this.#checked(pointer, build, template.value, false);
    // A text answer (text/plain) is its string as it is; anything else is JSON.
    return { text: typeof checked === 'string' && !JSON_MEDIA.test(content.media) ? checked : JSON.stringify(checked) };
  }

  /**
   * The shaped answer when it fits the schema; else shaped without the seed's variation (a
   * model whose ids have a maximum, lists that take one item); else the template, which was
   * checked when it was made. `lines`: an NDJSON answer, each line checked against the schema.
   */
  #checked(pointer: string, build: (vary: boolean) => unknown, template: unknown, lines: boolean): unknown {
    const fits = (value: unknown): boolean => (lines ? (value as unknown[]) : [value]).every((line) => {
      const validation = this.#validators.validate(pointer, line);
      return 'problems' in validation && validation.problems.length === 0;
    });
    for (const vary of [true, false]) {
      const value = build(vary);
      if (fits(value)) return value;
    }
    return lines ? [template] : template;
  }

  /**
   * openapi-sampler's answer for the schema, checked once: with the document's examples; else
   * without them, and with what no value can fill pruned (where the sampler cut a circular
   * reference it leaves a hole: an optional field is dropped, a list left empty).
   */
  #template(pointer: string, schema: SchemaObject): Template {
    const known = this.#templates.get(pointer);
    if (known) return known;
    let template: Template | undefined;
    let reason = '';
    for (const use of ['use-examples', 'ignore-examples'] as const) {
      let value: unknown;
      try {
        // Through JSON and back: what the validator sees is what a client gets (holes become absent or null).
        value = JSON.parse(JSON.stringify(sample(forSampling(schema, use) as never, SAMPLER_OPTIONS, this.#document(use)) ?? null)) as unknown;
      } catch (error) {
        reason = `the generator cannot read the schema: ${(error as Error).message}`;
        continue;
      }
      const fitted = this.#fitted(pointer, value, use === 'ignore-examples' ? MAX_PRUNING_ROUNDS : 0);
      if ('value' in fitted) {
        template = fitted;
        break;
      }
      reason = fitted.reason;
    }
    template ??= { cannot: { pointer, reason } };
    this.#templates.set(pointer, template);
    return template;
  }

  /** The value once it fits the schema, pruning what does not fit up to `rounds` times; else why it does not. */
  #fitted(pointer: string, value: unknown, rounds: number): { readonly value: unknown } | { readonly reason: string } {
    for (let round = 0; ; round++) {
      const validation = this.#validators.validate(pointer, value);
      if ('unchecked' in validation) return { reason: validation.unchecked };
      const [problem] = validation.problems;
      if (problem === undefined) return { value };
      const reason = `the generated value does not fit it: ${problem.instancePath || '(the value)'} ${problem.message}`;
      if (round >= rounds || !prune(value, problem.instancePath)) return { reason };
    }
  }
  #document(use: ExampleUse): Record<string, unknown> {
    if (use === 'use-examples') return (this.#withExamples ??= samplingDocument(this.#api.document, use));
    return (this.#withoutExamples ??= samplingDocument(this.#api.document, use));
  }
}

interface ItemCount {
  readonly items: number;
  /** The index of the first item in the whole collection (the offset). */
  readonly first: number;
}

/** How many items a list answer holds: `limit` when the operation has one (from `offset` on, within the collection), else a few. */
function itemCount(api: ApiIndex, operation: ApiOperation, query: URLSearchParams, list: boolean): ItemCount {
  if (!list) return { items: 1, first: 0 };
  const parameters = parametersOf(api.document, operation.path, operation.operation);
  const limitParameter = parameters.find((parameter) => parameter.in === 'query' && parameter.name === 'limit');
  if (!limitParameter) return { items: DEFAULT_ITEMS, first: 0 };
  const hasOffset = parameters.some((parameter) => parameter.in === 'query' && parameter.name === 'offset');
  const offset = hasOffset ? Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0) : 0;
  const declaredDefault = isObject(limitParameter.schema) && typeof limitParameter.schema.default === 'number' ? limitParameter.schema.default : DEFAULT_ITEMS;
  const asked = Number.parseInt(query.get('limit') ?? '', 10);
  const limit = Number.isFinite(asked) ? Math.max(0, asked) : declaredDefault;
  return { items: Math.max(0, Math.min(limit, MAX_ITEMS, COLLECTION_SIZE - offset)), first: offset };
}

interface CarriedParameter {
  /** The answer's fields that take the value, e.g. ["clientId", "client_id"]. */
  readonly fields: readonly string[];
  readonly value: string;
}

/** The path parameters an answer repeats: the last segment's parameter is the answer's own id; others name a field (client_id -> clientId). */
function carriedParameters(operation: ApiOperation, params: Readonly<Record<string, string>>): CarriedParameter[] {
  const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
  const lastIsParameter = /\}$/.test(operation.path);
  return names.flatMap((name, index) => {
    const value = params[routeParamName(name)];
    if (value === undefined) return [];
    const camel = name.replace(/_([a-z])/g, (_whole, letter: string) => letter.toUpperCase());
    const fields = new Set([name, camel]);
    if (name === 'id' || (lastIsParameter && index === names.length - 1)) fields.add('id');
    return [{ fields: [...fields], value }];
  });
}

/** A copy of the template with ids from `random` (none: the template's own), `index` as a list item's id, and the path's parameters carried in. */
function shapeItem(template: unknown, random: Random | undefined, index: number | undefined, carried: readonly CarriedParameter[]): unknown {
  const value = random === undefined ? structuredClone(template) : varied(template, random, 0);
  if (isObject(value)) {
    if (index !== undefined && typeof value.id === 'number') value.id = index;
    for (const parameter of carried) {
      for (const field of parameter.fields) {
        // A list item's own id is its place in the list, not the path's parameter.
        if (field === 'id' && index !== undefined) continue;
        if (field in value) value[field] = converted(value[field], parameter.value);
      }
    }
  }
  return value;
}

/** The path's text as the field's type: a number where the template has a number. */
function converted(current: unknown, text: string): unknown {
  if (typeof current === 'number') return DIGITS.test(text) ? Number(text) : current;
  return typeof current === 'string' ? text : current;
}

function varied(value: unknown, random: Random, depth: number): unknown {
  if (Array.isArray(value)) {
    if (value.length !== 1 || depth >= MAX_NESTED_DEPTH) return value.map((entry) => varied(entry, random, depth + 1));
    return Array.from({ length: NESTED_ITEMS }, () => varied(value[0], random, depth + 1));
  }
  if (!isObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = ID_KEY.test(key) && typeof field === 'number' && Number.isInteger(field) ? 1 + Math.floor(random() * 999_999) : varied(field, random, depth + 1);
  }
  return copy;
}

/** Removes the node at `pointer` (an item from its list, a field from its object); false when there is none to remove. */
function prune(root: unknown, pointer: string): boolean {
  const tokens = pointer.split('/').slice(1).map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = tokens.pop();
  if (last === undefined) return false;
  let parent = root;
  for (const token of tokens) {
    if (Array.isArray(parent)) parent = parent[Number(token)];
    else if (isObject(parent)) parent = parent[token];
    else return false;
  }
  if (Array.isArray(parent) && Number(last) < parent.length) {
    parent.splice(Number(last), 1);
    return true;
  }
  if (isObject(parent) && Object.hasOwn(parent, last)) {
    delete parent[last];
    return true;
  }
  return false;
}
