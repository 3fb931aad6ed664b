// Advisory checks of one exchange against its operation: never blocking, run on the
// recorded copy after the answer went out. Each finding names where ("request.query.from_date")
// and what is wrong, in words a developer acts on.
import { AnswerFields, MAX_ITEMS_WALKED } from './answer-fields.js';
import { isObject, resolveLocalRef, type OpenApiDocument, type ParameterObject, type SchemaObject } from './document.js';
import { editRatio, routeParamName } from './matcher.js';
import type { ApiOperation } from './operations.js';
import { pointerOf, SchemaValidators, type PreparationStep, type SchemaProblem } from './validators.js';
import { bodyValue } from '../traffic/json-body.js';

export interface Finding {
  readonly where: string;
  readonly message: string;
}

/** The parts of a recorded message the checks read. */
export interface CheckedMessage {
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body?: unknown;
  readonly bodyBytes: number;
  readonly bodyTruncated: boolean;
  readonly bodyEncoding: string;
}

export interface CheckResult {
  readonly findings: Finding[];
  /** What was not checked and why (a body cut at the record limit). */
  readonly notChecked: Finding[];
}

const MAX_FINDINGS_PER_PART = 10;
const REDACTED = '[redacted]';
const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$/i;
const NDJSON_MEDIA = /^application\/(?:x-)?ndjson$/i;

interface PlannedParameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  /** Pointer to its schema, for the validator. */
  readonly schemaPointer: string | undefined;
  readonly schema: SchemaObject | undefined;
}

/** The schema an answer is checked against. */
interface AnswerPlan {
  readonly pointer: string;
  readonly schema: unknown;
  readonly ndjson: boolean;
}

/** Answer plans by status, then by the answer's Content-Type as sent; null: nothing to check it against. */
type AnswerPlans = Map<number, Map<string, AnswerPlan | null>>;

/** Content-Type values kept per status: an upstream that varies them (a boundary, a charset) must not grow the map without end. */
const MAX_ANSWER_TYPES = 16;

interface OperationPlan {
  readonly parameters: readonly PlannedParameter[];
  readonly queryNames: ReadonlySet<string>;
  readonly bodyRequired: boolean;
  /** The request body's schema (JSON), checked like an answer's. */
  readonly body: AnswerPlan | undefined;
  readonly answers: AnswerPlans;
}

export class OperationChecks {
  readonly #document: OpenApiDocument;
  readonly #validators: SchemaValidators;
  readonly #plans = new Map<ApiOperation, OperationPlan>();
  readonly #noteAbsentFields: boolean;
  /** Resolved references: the document never changes, and resolving walks it segment by segment on every exchange. */
  readonly #refs = new Map<string, unknown>();
  readonly #pointerLists = new Map<ApiOperation, readonly string[]>();
  /** Operations whose checks compile nothing any more: asked on every exchange. */
  readonly #ready = new Set<ApiOperation>();
  readonly #fields = new AnswerFields((schema) => this.#resolved(schema));

  /** `noteAbsentFields`: say when model fields are missing from an answer (staging and production filter them). */
  constructor(document: OpenApiDocument, options: { noteAbsentFields: boolean }) {
    this.#document = document;
    this.#validators = new SchemaValidators(document);
    this.#noteAbsentFields = options.noteAbsentFields;
  }

  /** The compiled schemas, shared with the mock (one validator per document). */
  get validators(): SchemaValidators {
    return this.#validators;
  }

  /** Path and query parameters only: what is known the moment the request arrives. */
  requestLine(operation: ApiOperation, params: Readonly<Record<string, string>>, query: URLSearchParams): Finding[] {
    return this.#requestLine(operation, params, query, []);
  }

  /** True when checking an exchange of `operation` compiles nothing: it then takes microseconds. */
  ready(operation: ApiOperation): boolean {
    if (this.#ready.has(operation)) return true;
    const ready = this.#validators.ready(this.#pointers(operation));
    if (ready) this.#ready.add(operation);
    return ready;
  }

  #resolve(ref: string): unknown {
    if (this.#refs.has(ref)) return this.#refs.get(ref);
    const target = resolveLocalRef(this.#document, ref);
    this.#refs.set(ref, target);
    return target;
  }

  /** The small steps that make `operation` ready (see SchemaValidators.preparationSteps). */
  preparationSteps(operation: ApiOperation): PreparationStep[] {
    return this.#validators.preparationSteps(this.#pointers(operation));
  }

  /** Registering the document's models: needed by every operation, so done before any asks. */
  warmUpSteps(): PreparationStep[] {
    return this.#validators.preparationSteps([]);
  }

  /** Every schema an exchange of `operation` may be checked against. */
  #pointers(operation: ApiOperation): readonly string[] {
    const known = this.#pointerLists.get(operation);
    if (known) return known;
    const plan = this.#plan(operation);
    const pointers = plan.parameters.flatMap((parameter) => (parameter.schemaPointer ? [parameter.schemaPointer] : []));
    if (plan.body) pointers.push(plan.body.pointer);
    const responses = operation.operation.responses;
    if (isObject(responses)) {
      for (const key of Object.keys(responses)) {
        const located = this.#responseContent(operation, key);
        if (!located) continue;
        for (const [media, content] of Object.entries(located.content)) {
          if (isObject(content) && content.schema !== undefined) pointers.push(mediaSchemaPointer(located.base, media));
        }
      }
    }
    this.#pointerLists.set(operation, pointers);
    return pointers;
  }

  #requestLine(operation: ApiOperation, params: Readonly<Record<string, string>>, query: URLSearchParams, notChecked: Finding[]): Finding[] {
    const plan = this.#plan(operation);
    const findings: Finding[] = [];
    for (const parameter of plan.parameters) {
      const where = `request.${parameter.in}.${parameter.name}`;
      const values = parameter.in === 'path' ? optional(params[routeParamName(parameter.name)]) : queryValues(query, parameter.name);
      if (values.length === 0) {
        if (parameter.required) findings.push({ where, message: `required ${parameter.in} parameter is missing${typeHint(parameter.schema)}` });
        continue;
      }
      if (!parameter.schemaPointer) continue;
      const value = coerce(values, this.#resolved(parameter.schema));
      const validation = this.#validators.validate(parameter.schemaPointer, value);
      if ('unchecked' in validation) {
        notChecked.push({ where, message: `not checked: ${validation.unchecked}` });
        continue;
      }
      for (const problem of validation.problems) {
        const shown = problem.instancePath === '' ? (values.length === 1 ? values[0] : values) : valueAt(value, problem.instancePath);
        findings.push({ where, message: `${JSON.stringify(shown)} ${problem.message}${formatHint(parameter.schema)}` });
      }
    }
    let seen: Set<string> | undefined;
    for (const name of query.keys()) {
      const bare = bareName(name);
      if (plan.queryNames.has(bare) || seen?.has(bare)) continue;
      (seen ??= new Set()).add(bare);
      const known = [...plan.queryNames];
      const close = known.filter((candidate) => editRatio(candidate, bare) <= 0.34);
      const suggestion = close.length > 0 ? `; did you mean ${close.join(' or ')}?` : known.length > 0 ? `; it takes ${known.join(', ')}` : '; it takes none';
      findings.push({ where: `request.query.${name}`, message: `not a query parameter of ${operation.id}${suggestion}` });
    }
    return capped(findings, 'request');
  }

  /** Everything about the exchange: the request line, the request body and the answer. */
  exchange(
    operation: ApiOperation,
    params: Readonly<Record<string, string>>,
    query: URLSearchParams,
    exchange: { readonly request: CheckedMessage; readonly response: CheckedMessage; readonly status: number },
  ): CheckResult {
    const notChecked: Finding[] = [];
    const findings = this.#requestLine(operation, params, query, notChecked);
    const plan = this.#plan(operation);
    const { request, response, status } = exchange;
    if (plan.bodyRequired && request.bodyBytes === 0) findings.push({ where: 'request.body', message: `${operation.id} requires a JSON body; none was sent` });
    else if (plan.body && request.bodyBytes > 0) findings.push(...this.#body('request.body', plan.body, request, notChecked, { drift: false, absent: false }));

    if (status > 0 && response.bodyBytes > 0) {
      const answer = this.#answer(operation, plan.answers, status, response);
      if (answer) findings.push(...this.#body('response.body', answer, response, notChecked, { drift: true, absent: this.#noteAbsentFields && status < 300 }));
    }
    return { findings, notChecked };
  }

  /** The schema for an answer of `status` sent as `response`'s Content-Type: looked up once per operation, status and type. */
  #answer(operation: ApiOperation, answers: AnswerPlans, status: number, response: CheckedMessage): AnswerPlan | null {
    const header = response.headers['content-type'];
    const sent = (Array.isArray(header) ? header[0] : header) ?? '';
    let byType = answers.get(status);
    const known = byType?.get(sent);
    if (known !== undefined) return known;
    const found = this.#responseSchema(operation, status, contentType(response));
    const plan = found ? { ...found, schema: this.#resolve(found.pointer) } : null;
    if (!byType) answers.set(status, (byType = new Map()));
    if (byType.size < MAX_ANSWER_TYPES) byType.set(sent, plan);
    return plan;
  }

  #body(where: string, answer: AnswerPlan, message: CheckedMessage, notChecked: Finding[], options: { drift: boolean; absent: boolean }): Finding[] {
    if (message.bodyEncoding === 'omitted') return [];
    if (message.bodyTruncated) {
      notChecked.push({ where, message: `not checked: the record keeps only the first part of the body (ONS_PROXY_LOG_BODY_LIMIT), ${message.bodyBytes} bytes were sent` });
      return [];
    }
    // The record's JSON body is parsed here, on first use, and shared with any other reader.
    const body = bodyValue(message);
    const values = answer.ndjson ? ndjsonValues(body) : [body];
    if (values === undefined || (message.bodyEncoding !== 'json' && !answer.ndjson)) {
      return JSON_MEDIA.test(contentType(message) ?? '') ? [{ where, message: 'declared as JSON but is not valid JSON' }] : [];
    }
    const findings: Finding[] = [];
    const { pointer, schema } = answer;
    let unchecked: string | undefined;
    const walked = Math.min(values.length, MAX_ITEMS_WALKED);
    for (let line = 0; line < walked; line++) {
      const value = values[line];
      const at = answer.ndjson ? `${where} line ${line + 1}` : where;
      const validation = this.#validators.validate(pointer, value);
      if ('unchecked' in validation) unchecked ??= validation.unchecked;
      else {
        for (const problem of validation.problems) {
          if (valueAt(value, problem.instancePath) === REDACTED) continue;
          findings.push({ where: `${at}${readablePath(problem.instancePath)}`, message: problem.message });
        }
      }
      if (options.drift && isObject(schema)) this.#fields.drift(at, value, schema, findings);
    }
    if (unchecked !== undefined) notChecked.push({ where, message: `not checked against the schema: ${unchecked}` });
    if (options.absent && isObject(schema)) {
      const absent = this.#fields.absent(where, values, schema);
      if (absent) findings.push(absent);
    }
    return findings.length === 0 ? findings : capped(dedupe(findings), where);
  }

  #resolved(schema: SchemaObject | undefined): SchemaObject | undefined {
    let current = schema;
    for (let hops = 0; current && typeof current.$ref === 'string' && hops < 20; hops++) {
      const target = this.#resolve(current.$ref);
      current = isObject(target) ? target : undefined;
    }
    return current;
  }

  #responseSchema(operation: ApiOperation, status: number, sentType: string | undefined): { pointer: string; ndjson: boolean } | undefined {
    const responses = operation.operation.responses;
    if (!isObject(responses)) return undefined;
    const key = [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default'].find((candidate) => responses[candidate] !== undefined);
    if (key === undefined) return undefined;
    const located = this.#responseContent(operation, key);
    if (!located) return undefined;
    const media = pickMedia(Object.keys(located.content), sentType);
    if (!media) return undefined;
    const content = located.content[media];
    if (!isObject(content) || content.schema === undefined) return undefined;
    return { pointer: mediaSchemaPointer(located.base, media), ndjson: NDJSON_MEDIA.test(media) };
  }

  /** The answer for status key `key` ("200", "4XX", "default"): where it is, and its media types. */
  #responseContent(operation: ApiOperation, key: string): { base: string; content: Record<string, unknown> } | undefined {
    const responses = operation.operation.responses;
    const raw = isObject(responses) ? responses[key] : undefined;
    let base = pointerOf('paths', operation.path, operation.method.toLowerCase(), 'responses', key);
    if (isObject(raw) && typeof raw.$ref === 'string') base = raw.$ref;
    const response = this.#resolve(base);
    if (!isObject(response) || !isObject(response.content)) return undefined;
    return { base, content: response.content };
  }

  #plan(operation: ApiOperation): OperationPlan {
    const known = this.#plans.get(operation);
    if (known) return known;
    const parameters: PlannedParameter[] = [];
    const add = (list: unknown, base: string): void => {
      if (!Array.isArray(list)) return;
      list.forEach((raw, index) => {
        if (!isObject(raw)) return;
        const pointer = typeof raw.$ref === 'string' ? raw.$ref : `${base}/parameters/${index}`;
        const parameter = typeof raw.$ref === 'string' ? this.#resolve(raw.$ref) : raw;
        if (!isParameter(parameter) || (parameter.in !== 'path' && parameter.in !== 'query')) return;
        const replaced = parameters.findIndex((other) => other.in === parameter.in && other.name === parameter.name);
        if (replaced >= 0) parameters.splice(replaced, 1);
        parameters.push({
          name: parameter.name,
          in: parameter.in,
          required: parameter.in === 'path' || parameter.required === true,
          schemaPointer: isObject(parameter.schema) ? `${pointer}/schema` : undefined,
          schema: isObject(parameter.schema) ? parameter.schema : undefined,
        });
      });
    };
    const pathPointer = pointerOf('paths', operation.path);
    add(this.#document.paths[operation.path]?.parameters, pathPointer);
    add(operation.operation.parameters, `${pathPointer}/${operation.method.toLowerCase()}`);

    let bodyRequired = false;
    let bodyPointer: string | undefined;
    const rawBody = operation.operation.requestBody;
    if (isObject(rawBody)) {
      const base = typeof rawBody.$ref === 'string' ? rawBody.$ref : `${pathPointer}/${operation.method.toLowerCase()}/requestBody`;
      const body = this.#resolve(base);
      if (isObject(body)) {
        const media = isObject(body.content) ? Object.keys(body.content).find((type) => JSON_MEDIA.test(type)) : undefined;
        // Only a JSON body is the proxy's to judge; a multipart upload is required in its own way.
        bodyRequired = body.required === true && media !== undefined;
        if (media) bodyPointer = mediaSchemaPointer(base, media);
      }
    }
    const plan: OperationPlan = {
      parameters,
      queryNames: new Set(parameters.filter((p) => p.in === 'query').map((p) => bareName(p.name))),
      bodyRequired,
      body: bodyPointer === undefined ? undefined : { pointer: bodyPointer, schema: this.#resolve(bodyPointer), ndjson: false },
      answers: new Map(),
    };
    this.#plans.set(operation, plan);
    return plan;
  }
}

function mediaSchemaPointer(base: string, media: string): string {
  return `${base}/content/${media.replace(/~/g, '~0').replace(/\//g, '~1')}/schema`;
}

function isParameter(value: unknown): value is ParameterObject {
  return isObject(value) && typeof value.name === 'string' && typeof value.in === 'string';
}

function optional(value: string | undefined): string[] {
  return value === undefined ? [] : [value];
}

/** `ids[]` and `ids` are one parameter: Ons names some with the brackets, clients send either. */
function bareName(name: string): string {
  return name.endsWith('[]') ? name.slice(0, -2) : name;
}

function queryValues(query: URLSearchParams, name: string): string[] {
  const bare = bareName(name);
  return [...query.getAll(bare), ...query.getAll(`${bare}[]`)];
}

/** A query or path value as the type its schema names, so "3" passes as an integer and "abc" does not. */
function coerce(values: readonly string[], schema: SchemaObject | undefined): unknown {
  const type = schema?.type;
  if (type === 'array') {
    const items = isObject(schema?.items) ? (schema.items as SchemaObject) : undefined;
    const parts = values.length === 1 && (values[0] ?? '').includes(',') ? (values[0] ?? '').split(',') : values;
    return parts.map((part) => coerceOne(part, items?.type));
  }
  return coerceOne(values[values.length - 1] ?? '', type);
}

function coerceOne(value: string, type: unknown): unknown {
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value.trim())) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function typeHint(schema: SchemaObject | undefined): string {
  if (!schema) return '';
  const type = typeof schema.type === 'string' ? schema.type : typeof schema.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;
  if (type === undefined) return '';
  return ` (${type}${typeof schema.format === 'string' ? `, ${schema.format}` : ''})`;
}

function formatHint(schema: SchemaObject | undefined): string {
  const format = schema?.format ?? (isObject(schema?.items) ? schema.items.format : undefined);
  return typeof format === 'string' ? ` (${format})` : '';
}

function contentType(message: CheckedMessage): string | undefined {
  const value = message.headers['content-type'];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.split(';', 1)[0]?.trim().toLowerCase();
}

function pickMedia(types: readonly string[], sent: string | undefined): string | undefined {
  if (sent && types.includes(sent)) return sent;
  return types.find((type) => JSON_MEDIA.test(type)) ?? types.find((type) => NDJSON_MEDIA.test(type) && sent !== undefined && NDJSON_MEDIA.test(sent));
}

function ndjsonValues(body: unknown): unknown[] | undefined {
  if (typeof body !== 'string') return undefined;
  const values: unknown[] = [];
  for (const line of body.split('\n')) {
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      return undefined;
    }
  }
  return values;
}

/** "/0/id" as "[0].id". */
function readablePath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((token) => (/^\d+$/.test(token) ? `[${token}]` : `.${token}`))
    .join('');
}

/** The value a JSON Pointer (an ajv instancePath) names inside `value`. */
export function valueAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const token of pointer.split('/').slice(1)) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node)) node = node[token.replace(/~1/g, '/').replace(/~0/g, '~')];
    else return undefined;
  }
  return node;
}

function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.where}\u0000${finding.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function capped(findings: Finding[], where: string): Finding[] {
  if (findings.length <= MAX_FINDINGS_PER_PART) return findings;
  const shown = findings.slice(0, MAX_FINDINGS_PER_PART);
  shown.push({ where, message: `... and ${findings.length - MAX_FINDINGS_PER_PART} more findings like these` });
  return shown;
}

export type { SchemaProblem };
