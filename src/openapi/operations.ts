// The compact index of a document's operations: one small entry per operation, pointing
// at the parsed operation object rather than copying it, so a 3 MB document costs its
// parse and little more. Validators are compiled later, per operation, on first use.
import { dereference, HTTP_METHODS, isObject, type OpenApiDocument, type OperationObject, type ParameterObject } from './document.js';

export interface ApiOperation {
  /** operationId, or "METHOD path" when the document gives none. */
  readonly id: string;
  /** Upper case, e.g. GET. */
  readonly method: string;
  /** The path template, e.g. /v0/administration/clients/{id}. */
  readonly path: string;
  readonly summary: string | undefined;
  readonly tag: string | undefined;
  readonly deprecated: boolean;
  /** YYYY-MM-DD (Ons writes DD-MM-YYYY in x-deprecated-since). */
  readonly deprecatedSince: string | undefined;
  /** The path that replaced this operation (x-replaced-by), same method. */
  readonly replacedBy: string | undefined;
  /** Old paths this operation replaced (x-replacement-for). */
  readonly replacementFor: readonly string[];
  readonly operation: OperationObject;
}

export interface OperationIndex {
  readonly document: OpenApiDocument;
  readonly operations: readonly ApiOperation[];
  byId(id: string): ApiOperation[];
  byMethodAndPath(method: string, template: string): ApiOperation | undefined;
}

export function indexOperations(document: OpenApiDocument): OperationIndex {
  const operations: ApiOperation[] = [];
  const ids = new Map<string, ApiOperation[]>();
  const keys = new Map<string, ApiOperation>();
  for (const [template, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const entry = describeOperation(method.toUpperCase(), template, operation as OperationObject);
      operations.push(entry);
      const same = ids.get(entry.id);
      if (same) same.push(entry);
      else ids.set(entry.id, [entry]);
      keys.set(`${entry.method} ${template}`, entry);
    }
  }
  return {
    document,
    operations,
    byId: (id) => ids.get(id) ?? [],
    byMethodAndPath: (method, template) => keys.get(`${method.toUpperCase()} ${template}`),
  };
}

function describeOperation(method: string, path: string, operation: OperationObject): ApiOperation {
  const replacedBy = operation['x-replaced-by'];
  const since = operation['x-deprecated-since'];
  return {
    id: typeof operation.operationId === 'string' && operation.operationId !== '' ? operation.operationId : `${method} ${path}`,
    method,
    path,
    summary: typeof operation.summary === 'string' ? operation.summary : undefined,
    tag: Array.isArray(operation.tags) && typeof operation.tags[0] === 'string' ? operation.tags[0] : undefined,
    deprecated: operation.deprecated === true,
    deprecatedSince: typeof since === 'string' ? isoDate(since) : undefined,
    replacedBy: typeof replacedBy === 'string' ? replacedBy : undefined,
    replacementFor: operation['x-replacement-for'] ?? [],
    operation,
  };
}

/** DD-MM-YYYY as YYYY-MM-DD; anything else is kept as written. */
export function isoDate(text: string): string {
  const match = /^(\d{2})-(\d{2})-(\d{4})$/.exec(text.trim());
  return match ? `${match[3]}-${match[2]}-${match[1]}` : text.trim();
}

/** The operation's parameters with the path item's shared ones, $refs followed; the operation's own win. */
export function parametersOf(document: OpenApiDocument, path: string, operation: OperationObject): ParameterObject[] {
  const shared = document.paths[path]?.parameters ?? [];
  const byKey = new Map<string, ParameterObject>();
  for (const list of [shared, operation.parameters ?? []]) {
    for (const raw of list) {
      const parameter = isObject(raw) ? dereference(document, raw) : undefined;
      if (parameter && typeof parameter.name === 'string') byKey.set(`${parameter.in}:${parameter.name}`, parameter);
    }
  }
  return [...byKey.values()];
}

/** "GET /v0/administration/clients/{id} (ClientAPI.byId: Find a client)" */
export function describeOperationLine(operation: ApiOperation): string {
  const name = operation.id === `${operation.method} ${operation.path}` ? '' : ` ${operation.id}`;
  return `${operation.method} ${operation.path}${name}${operation.summary ? `: ${operation.summary}` : ''}`;
}
