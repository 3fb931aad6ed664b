// Which operation a request is: a radix tree (find-my-way, fastify's own router) over the
// path templates, so a lookup costs microseconds at a thousand operations and literal
// segments win over parameters (/clients/by_bsn is not /clients/{id}).
import FindMyWay from 'find-my-way';
import type { HTTPMethod } from 'find-my-way';
import type { ApiOperation } from './operations.js';

export type OperationMatch =
  /** The request is this operation; `params` are the path parameters as sent (decoded). */
  | { readonly kind: 'operation'; readonly operation: ApiOperation; readonly params: Readonly<Record<string, string>> }
  /** The path is one the document lists as replaced (x-replacement-for): it no longer exists. */
  | { readonly kind: 'removed'; readonly oldPath: string; readonly replacement: ApiOperation }
  /** The path exists, but not for this method. */
  | { readonly kind: 'method'; readonly path: string; readonly methods: readonly string[] }
  | { readonly kind: 'none'; readonly nearest: readonly ApiOperation[] };

type Router = ReturnType<typeof FindMyWay>;

interface OperationRoute {
  readonly operation: ApiOperation;
  readonly parameters: number;
}

interface RemovedRoute {
  readonly oldPath: string;
  readonly replacement: ApiOperation;
  readonly parameters: number;
}

const NEAREST_SHOWN = 3;
/**
 * The "nearest operations" search compares a path with every template, word by word: bounded,
 * so a request with a huge path costs no more than an ordinary one. A longer path gets no
 * suggestion; only the first segments and the first characters of each word are compared.
 */
const NEAREST_MAX_PATH_LENGTH = 1024;
const NEAREST_MAX_SEGMENTS = 12;
const NEAREST_MAX_WORD_LENGTH = 32;

export interface MatchOptions {
  /** Look for the nearest operations when none matches (default true); false when nobody will read them (a refused request). */
  readonly nearest?: boolean;
}
/** Routes added per preparation step: find-my-way compiles code per route, ~50 us each on this machine. */
const ROUTES_PER_STEP = 40;
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

export class OperationMatcher {
  readonly #operations: Router = newRouter();
  readonly #removed: Router = newRouter();
  readonly #methods = new Set<string>();
  readonly #all: readonly ApiOperation[];
  readonly #shadowed: ApiOperation[] = [];
  /** Routes not yet in the trees: added a few at a time between exchanges (buildSteps), or all at once by the first match. */
  readonly #pending: Array<() => void> = [];
  #next = 0;

  constructor(operations: readonly ApiOperation[]) {
    this.#all = operations;
    for (const operation of operations) {
      this.#methods.add(operation.method);
      const route: OperationRoute = { operation, parameters: parameterCount(operation.path) };
      this.#pending.push(() => {
        if (!addRoute(this.#operations, operation.method, operation.path, route)) this.#shadowed.push(operation);
      });
    }
    const documented = new Set(operations.map((operation) => `${operation.method} ${routePattern(operation.path)}`));
    for (const operation of operations) {
      for (const oldPath of operation.replacementFor) {
        // An old path still documented as an operation of its own (the older document) is matched as that.
        if (documented.has(`${operation.method} ${routePattern(oldPath)}`)) continue;
        const route: RemovedRoute = { oldPath, replacement: operation, parameters: parameterCount(oldPath) };
        this.#pending.push(() => void addRoute(this.#removed, operation.method, oldPath, route));
      }
    }
  }

  /** Operations whose template has the same shape as an earlier one (the router keeps the first). */
  get shadowed(): readonly ApiOperation[] {
    this.buildAll();
    return this.#shadowed;
  }

  /** The building of the trees in bounded steps, for a proxy to run between exchanges; a match before they ran finishes the rest at once. */
  buildSteps(): Array<() => void> {
    const steps: Array<() => void> = [];
    for (let start = this.#next; start < this.#pending.length; start += ROUTES_PER_STEP) steps.push(() => this.#addRoutes(ROUTES_PER_STEP));
    return steps;
  }

  /** `path` is the request path without the query, as the client sent it. */
  match(method: string, path: string, options: MatchOptions = {}): OperationMatch {
    this.buildAll();
    const upper = method.toUpperCase();
    const nearest = options.nearest ?? true;
    if (!this.#methods.has(upper)) return this.#unmatched(upper, path, nearest);
    const found = this.#operations.find(upper as HTTPMethod, path);
    const operation = found?.store as OperationRoute | undefined;
    // Two trees, one rule: the template with more literal segments wins (/t/clients/searchresult, a
    // removed path, over a /t/clients/{id} the older document still lists). A template without
    // parameters cannot lose, so the second tree is asked only when the first found none or one with parameters.
    const removed = operation?.parameters === 0 ? null : this.#removed.find(upper as HTTPMethod, path);
    const route = removed?.store as RemovedRoute | undefined;
    if (found && operation && !(route && route.parameters < operation.parameters)) {
      return { kind: 'operation', operation: operation.operation, params: operation.parameters === 0 ? NO_PARAMS : plainParams(found.params) };
    }
    if (route) return { kind: 'removed', oldPath: route.oldPath, replacement: route.replacement };
    return this.#unmatched(upper, path, nearest);
  }

  #unmatched(upper: string, path: string, nearest: boolean): OperationMatch {
    const others = [...this.#methods].filter((other) => other !== upper && this.#operations.find(other as HTTPMethod, path));
    const [first] = others;
    if (first !== undefined) {
      const template = (this.#operations.find(first as HTTPMethod, path)?.store as OperationRoute).operation.path;
      return { kind: 'method', path: template, methods: others.sort() };
    }
    return { kind: 'none', nearest: nearest ? nearestOperations(this.#all, upper, path) : [] };
  }

  #addRoutes(count: number): void {
    const end = Math.min(this.#pending.length, this.#next + count);
    while (this.#next < end) this.#pending[this.#next++]?.();
    if (this.#next === this.#pending.length) this.#pending.length = this.#next = 0;
  }

  /** Adds every route not added yet. */
  buildAll(): void {
    if (this.#next < this.#pending.length) this.#addRoutes(this.#pending.length);
  }
}

function newRouter(): Router {
  // Ons paths carry long identifiers (uuids, dates, id lists); the default limit is 100 characters.
  // No ignoreTrailingSlash: it doubles every route (and start-up), and a path with a trailing
  // slash the document does not have is worth the "nearest operation" hint anyway.
  return FindMyWay({ maxParamLength: 2000, caseSensitive: true });
}

/** find-my-way's syntax: {x} becomes :x, and a literal ":" is written "::". */
function routePattern(template: string): string {
  return template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') && part.endsWith('}') ? `:${routeParamName(part.slice(1, -1))}` : part.replace(/:/g, '::')))
    .join('');
}

/** The name find-my-way reports a path parameter under (it ends a name at "-" and "."). */
export function routeParamName(name: string): string {
  return name.replace(/[^A-Za-z0-9_$]/g, '_');
}

function addRoute(router: Router, method: string, template: string, store: unknown): boolean {
  try {
    router.on(method as HTTPMethod, routePattern(template), () => undefined, store);
    return true;
  } catch {
    // The same shape declared twice ({id} and {client_id} at one position, same method).
    return false;
  }
}

function parameterCount(template: string): number {
  return template.split('{').length - 1;
}

function plainParams(params: Record<string, string | undefined>): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const name in params) {
    const value = params[name];
    if (value !== undefined) plain[name] = value;
  }
  return plain;
}

/** The operations whose templates look most like the path: segment by segment, the same method first. */
export function nearestOperations(operations: readonly ApiOperation[], method: string, path: string): ApiOperation[] {
  if (path.length > NEAREST_MAX_PATH_LENGTH) return [];
  const segments = splitPath(path);
  const scored = operations.map((operation) => ({
    operation,
    score: pathDistance(segments, splitPath(operation.path)) + (operation.method === method ? 0 : 0.5) + (operation.deprecated ? 0.25 : 0),
  }));
  scored.sort((a, b) => a.score - b.score);
  return scored.slice(0, NEAREST_SHOWN).map((entry) => entry.operation);
}

function splitPath(path: string): string[] {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .slice(0, NEAREST_MAX_SEGMENTS)
    .map((segment) => segment.slice(0, NEAREST_MAX_WORD_LENGTH));
}

function pathDistance(request: readonly string[], template: readonly string[]): number {
  let distance = Math.abs(request.length - template.length) * 1.5;
  const shared = Math.min(request.length, template.length);
  for (let i = 0; i < shared; i++) {
    const sent = request[i] ?? '';
    const expected = template[i] ?? '';
    if (expected.startsWith('{')) {
      // A parameter takes anything, a value more readily than a word.
      distance += /^[\d-]+$|^[0-9a-f-]{36}$/i.test(sent) ? 0 : 0.4;
      continue;
    }
    distance += sent === expected ? 0 : editRatio(sent, expected);
  }
  return distance;
}

/** Edit distance relative to the longer word: 0 equal, 1 nothing alike. */
export function editRatio(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return (previous[b.length] ?? longest) / longest;
}
