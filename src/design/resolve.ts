// A design file against the API document: each endpoint becomes an operation (METHOD and path
// template), each model a schema whose field paths exist. What the document does not know is a
// problem naming the line and the nearest names the document has. Without a document only
// "METHOD /path/template" endpoints can be resolved, and nothing is checked against a model.
import { isObject, resolveLocalRef, type ApiIndex, type ApiOperation, type SchemaObject } from '../openapi/index.js';
import { editRatio, nearestOperations } from '../openapi/matcher.js';
import type { DesignLocations, TechnicalDesign } from './design-file.js';
import { compileSelection, type Selection } from './field-filter.js';

/** One endpoint of the design, as an operation. */
export interface DesignOperation {
  readonly method: string;
  /** The path template (the document's, when there is one). */
  readonly path: string;
  /** The document's operation, when there is a document. */
  readonly operation: ApiOperation | undefined;
  /** The use cases listing it, in file order. */
  readonly useCases: string[];
  /** The answer model the design names for it (endpoint "model"), overriding the document's. */
  model: string | undefined;
}

export interface DesignProblem {
  /** "technical-design.json, line 7 (useCases[0].endpoints[1].operation)" */
  readonly where: string;
  readonly message: string;
  /** What in the file the problem is about: an endpoint ("operation") or a model or field ("model"). */
  readonly kind: 'operation' | 'model' | 'field' | 'duplicate';
}

export interface ResolvedDesign {
  readonly file: string;
  readonly useCaseTitles: readonly string[];
  /** By "METHOD template". */
  readonly operations: ReadonlyMap<string, DesignOperation>;
  readonly selections: ReadonlyMap<string, Selection>;
  readonly problems: readonly DesignProblem[];
}

const METHOD_AND_PATH = /^([A-Za-z]+)\s+(\/\S*)$/;
const NEAREST = 3;

export function operationKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

export function resolveDesign(design: TechnicalDesign, locations: DesignLocations, api: ApiIndex | undefined): ResolvedDesign {
  const problems: DesignProblem[] = [];
  const operations = new Map<string, DesignOperation>();
  const modelNames = Object.keys(design.models ?? {});
  design.useCases.forEach((useCase, caseIndex) => {
    const seen = new Map<string, number>();
    useCase.endpoints.forEach((endpoint, endpointIndex) => {
      const where = (field: string): string => locations.describe(['useCases', caseIndex, 'endpoints', endpointIndex, field]);
      const found = findOperation(endpoint.operation, api);
      if ('problem' in found) {
        problems.push({ where: where('operation'), message: found.problem, kind: 'operation' });
        return;
      }
      const key = operationKey(found.method, found.path);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        problems.push({ where: where('operation'), message: `${key} is listed twice in the use case "${useCase.title}" (also as endpoint ${earlier + 1}); list it once.`, kind: 'duplicate' });
        return;
      }
      seen.set(key, endpointIndex);
      if (endpoint.model !== undefined && !modelNames.includes(endpoint.model)) {
        problems.push({ where: where('model'), message: `the model "${endpoint.model}" is not a key of "models"${nearestText(endpoint.model, modelNames)}; add its field selection under "models".`, kind: 'model' });
      }
      const existing = operations.get(key);
      if (existing) {
        existing.useCases.push(useCase.title);
        existing.model ??= endpoint.model;
      } else {
        operations.set(key, { method: found.method, path: found.path, operation: found.operation, useCases: [useCase.title], model: endpoint.model });
      }
    });
  });
  const selections = new Map<string, Selection>();
  const schemas = api ? schemasOf(api) : undefined;
  for (const [model, fields] of Object.entries(design.models ?? {})) {
    selections.set(model, compileSelection(fields));
    if (!api || !schemas) continue;
    const schema = schemas[model];
    if (!isObject(schema)) {
      problems.push({ where: locations.describe(['models', model]), message: `the API document (${api.source}) has no schema "${model}"${nearestText(model, Object.keys(schemas))}.`, kind: 'model' });
      continue;
    }
    fields.forEach((field, index) => {
      const missing = missingField(api, schema, field);
      if (missing) problems.push({ where: locations.describe(['models', model, index]), message: `${model} has no field "${field}": ${missing}`, kind: 'field' });
    });
  }
  return { file: locations.file, useCaseTitles: design.useCases.map((useCase) => useCase.title), operations, selections, problems };
}

type FoundOperation = { method: string; path: string; operation: ApiOperation | undefined } | { problem: string };

function findOperation(text: string, api: ApiIndex | undefined): FoundOperation {
  const written = METHOD_AND_PATH.exec(text.trim());
  if (written) {
    const method = (written[1] ?? '').toUpperCase();
    const path = written[2] ?? '/';
    if (!api) return { method, path, operation: undefined };
    const operation = api.index.byMethodAndPath(method, path);
    if (operation) return { method, path, operation };
    const call = api.describe(method, path);
    if (call.match.kind === 'operation') {
      const template = call.match.operation.path;
      return { problem: `"${text}" is a call, not a path template: write "${method} ${template}" (${call.match.operation.id}).` };
    }
    if (call.match.kind === 'removed') return { problem: `"${text}" was removed: use "${method} ${call.match.replacement.path}" (${call.match.replacement.id}).` };
    const nearest = nearestOperations(api.operations, method, path).map((candidate) => `"${candidate.method} ${candidate.path}"`);
    return { problem: `the API document (${api.source}) has no operation "${method} ${path}"${nearest.length ? `; nearest: ${nearest.join(', ')}` : ''}.` };
  }
  if (/\s/.test(text.trim())) return { problem: `"${text}" is neither "METHOD /path/template" nor an operationId.` };
  if (!api) return { problem: `"${text}" is an operationId, which only the API document can resolve: write it as "METHOD /path/template", or give the proxy the document (ONS_PROXY_OPENAPI, ons-proxy openapi update).` };
  const candidates = api.index.byId(text);
  // Ons's /t/ path and its /v0/ replacement share an id: the replacement is meant.
  const chosen = candidates.find((candidate) => !candidate.deprecated && !candidate.path.startsWith('/t/')) ?? candidates.find((candidate) => !candidate.path.startsWith('/t/')) ?? candidates[0];
  if (chosen) return { method: chosen.method, path: chosen.path, operation: chosen };
  const ids = [...new Set(api.operations.map((operation) => operation.id))];
  return { problem: `the API document (${api.source}) has no operation with the id "${text}"${nearestText(text, ids)}.` };
}

/** "; nearest: a, b" or "" */
export function nearestText(name: string, names: readonly string[]): string {
  const nearest = nearestNames(name, names);
  return nearest.length === 0 ? '' : `; nearest: ${nearest.map((candidate) => `"${candidate}"`).join(', ')}`;
}

export function nearestNames(name: string, names: readonly string[]): string[] {
  const lower = name.toLowerCase();
  return names
    .map((candidate) => ({ candidate, score: editRatio(lower, candidate.toLowerCase()) - (candidate.toLowerCase().includes(lower) || lower.includes(candidate.toLowerCase()) ? 0.3 : 0) }))
    .filter((entry) => entry.score < 0.6)
    .sort((a, b) => a.score - b.score)
    .slice(0, NEAREST)
    .map((entry) => entry.candidate);
}

function schemasOf(api: ApiIndex): Record<string, unknown> {
  return api.document.components?.schemas ?? {};
}

/** The fields of a schema (allOf merged, $ref followed, an array's items); open: it allows fields it does not name. */
export function schemaFields(api: ApiIndex, schema: unknown, depth = 0): { fields: Record<string, unknown>; open: boolean } {
  const resolved = follow(api, schema);
  if (!resolved || depth > 20) return { fields: {}, open: true };
  if (resolved.type === 'array' || isObject(resolved.items)) return schemaFields(api, resolved.items, depth + 1);
  const fields: Record<string, unknown> = { ...(isObject(resolved.properties) ? resolved.properties : {}) };
  let open = resolved.additionalProperties !== undefined && resolved.additionalProperties !== false;
  for (const list of [resolved.allOf, resolved.oneOf, resolved.anyOf]) {
    if (!Array.isArray(list)) continue;
    for (const part of list) {
      const inner = schemaFields(api, part, depth + 1);
      Object.assign(fields, inner.fields);
      open ||= inner.open;
    }
  }
  if (!isObject(resolved.properties) && !Array.isArray(resolved.allOf) && !Array.isArray(resolved.oneOf) && !Array.isArray(resolved.anyOf)) open = true;
  return { fields, open };
}

function follow(api: ApiIndex, schema: unknown): SchemaObject | undefined {
  let current = schema;
  for (let hops = 0; hops < 20 && isObject(current) && typeof current.$ref === 'string'; hops++) current = resolveLocalRef(api.document, current.$ref);
  return isObject(current) ? current : undefined;
}

/** Why `path` is not a field of the schema, or undefined when it is (or the schema cannot say). */
function missingField(api: ApiIndex, schema: unknown, path: string): string | undefined {
  let current: unknown = schema;
  const parts = path.split('.');
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] ?? '';
    const { fields, open } = schemaFields(api, current);
    if (part in fields) {
      current = fields[part];
      continue;
    }
    if (open) return undefined;
    const at = parts.slice(0, index).join('.');
    const names = Object.keys(fields);
    if (names.length === 0) return `${at === '' ? 'the model' : `"${at}"`} has no fields below it.`;
    return `${at === '' ? 'the model' : `"${at}"`} has no field "${part}"${nearestText(part, names)} (its fields: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''}).`;
  }
  return undefined;
}
