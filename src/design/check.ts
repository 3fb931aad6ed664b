// `ons-proxy design check`: what would break on staging if the connection ran under this
// design, from the records and the API document. Each finding says what to change, and any
// finding makes the command exit 1, so it works as a CI step after the integration's tests.
import { isAdminPath } from '../admin/index.js';
import type { ApiIndex } from '../openapi/index.js';
import { answerModelName, answerValues, collectFieldPaths } from '../reports/received-fields.js';
import { pathTemplate, useCaseOf } from '../reports/endpoints.js';
import { operationOf, pathOnly, type UsedExchange } from '../reports/used-exchange.js';
import type { ReadDesign } from './design-file.js';
import { DesignOnlyMatcher } from './design-matcher.js';
import type { Selection } from './field-filter.js';
import { operationKey, resolveDesign, type DesignProblem, type ResolvedDesign } from './resolve.js';

/** A record as the check reads it: what the reports read, and what the design did to it then. */
export interface CheckedExchange extends UsedExchange {
  readonly design?: { readonly verdict: string; readonly removedFields?: readonly string[] } | undefined;
}

export interface MissingOperation {
  readonly operation: string;
  readonly id?: string | undefined;
  readonly calls: number;
  readonly useCases: string[];
}

export interface DroppedFields {
  readonly model: string;
  readonly fields: string[];
  /** The operations whose answers carried them. */
  readonly operations: string[];
}

export interface DeprecatedOperation {
  readonly operation: string;
  readonly id: string;
  readonly since?: string | undefined;
  readonly replacement?: string | undefined;
}

export interface DesignCheckReport {
  readonly file: string;
  readonly calls: number;
  readonly missingOperations: MissingOperation[];
  readonly droppedFields: DroppedFields[];
  readonly unknownEntries: DesignProblem[];
  readonly deprecated: DeprecatedOperation[];
  readonly neverCalled: string[];
}

export function findingCount(report: DesignCheckReport): number {
  return report.missingOperations.length + report.droppedFields.length + report.unknownEntries.length + report.deprecated.length + report.neverCalled.length;
}

/** Compares the records, one at a time, with the design. */
export class DesignCheck {
  readonly #resolved: ResolvedDesign;
  #designOnly: DesignOnlyMatcher | undefined;
  readonly #missing = new Map<string, { id: string | undefined; calls: number; useCases: Set<string> }>();
  readonly #called = new Set<string>();
  readonly #dropped = new Map<string, { fields: Set<string>; operations: Set<string> }>();
  readonly #models = new Map<string, string | undefined>();
  #calls = 0;

  constructor(
    private readonly read: ReadDesign,
    private readonly api: ApiIndex | undefined,
  ) {
    this.#resolved = resolveDesign(read.design, read.locations, api);
  }

  add(exchange: CheckedExchange): void {
    const path = pathOnly(exchange.url);
    if (isAdminPath(exchange.url) || path === '/ping') return;
    this.#calls++;
    const operation = operationOf(exchange, this.api);
    const key = operationKey(exchange.method, operation?.path ?? pathTemplate(exchange.url));
    const allowed = this.#resolved.operations.get(key) ?? (operation ? undefined : (this.#designOnly ??= new DesignOnlyMatcher(this.#resolved.operations)).match(exchange.method, path));
    if (!allowed) {
      let missing = this.#missing.get(key);
      if (!missing) this.#missing.set(key, (missing = { id: operation?.id, calls: 0, useCases: new Set() }));
      missing.calls += exchange.repeated?.count ?? 1;
      const useCase = useCaseOf(exchange);
      if (useCase !== undefined) missing.useCases.add(useCase);
      return;
    }
    const allowedKey = operationKey(allowed.method, allowed.path);
    this.#called.add(allowedKey);
    if (exchange.method.toUpperCase() !== 'GET' || exchange.status < 200 || exchange.status >= 300) return;
    const model = allowed.model ?? this.#modelOf(allowed.method, allowed.path, exchange.status);
    const selection = model === undefined ? undefined : this.#resolved.selections.get(model);
    if (model === undefined || !selection) return;
    const dropped = new Set<string>(exchange.design?.removedFields ?? []);
    if (exchange.response && exchange.design?.verdict !== 'filtered') {
      const received = new Set<string>();
      for (const value of answerValues(exchange.response)) collectFieldPaths(value, received);
      for (const field of received) if (!isSelected(selection, field)) dropped.add(topDropped(selection, field));
    }
    if (dropped.size === 0) return;
    let entry = this.#dropped.get(model);
    if (!entry) this.#dropped.set(model, (entry = { fields: new Set(), operations: new Set() }));
    for (const field of dropped) entry.fields.add(field);
    entry.operations.add(allowedKey);
  }

  report(): DesignCheckReport {
    const deprecated: DeprecatedOperation[] = [];
    for (const [key, operation] of this.#resolved.operations) {
      const found = operation.operation;
      if (!found?.deprecated) continue;
      const replacement = found.replacedBy ? `${found.method} ${found.replacedBy}` : undefined;
      deprecated.push({ operation: key, id: found.id, since: found.deprecatedSince, replacement });
    }
    return {
      file: this.read.locations.file,
      calls: this.#calls,
      missingOperations: [...this.#missing].map(([operation, { id, calls, useCases }]) => ({ operation, id, calls, useCases: [...useCases].sort() })).sort((a, b) => b.calls - a.calls || a.operation.localeCompare(b.operation)),
      droppedFields: [...this.#dropped].map(([model, { fields, operations }]) => ({ model, fields: [...fields].sort(), operations: [...operations].sort() })).sort((a, b) => a.model.localeCompare(b.model)),
      unknownEntries: [...this.#resolved.problems],
      deprecated,
      neverCalled: [...this.#resolved.operations.keys()].filter((key) => !this.#called.has(key)),
    };
  }

  #modelOf(method: string, path: string, status: number): string | undefined {
    const key = `${method} ${path} ${status}`;
    if (!this.#models.has(key)) this.#models.set(key, answerModelName(this.api, method, path, status));
    return this.#models.get(key);
  }

}

function isSelected(selection: Selection, field: string): boolean {
  let node = selection;
  for (const part of field.split('.')) {
    if (node.all) return true;
    const child = node.children.get(part);
    if (!child) return false;
    node = child;
  }
  return true;
}

/** The field as the filter removes it: "address.street.name" goes with "address.street" when that is what is not selected. */
function topDropped(selection: Selection, field: string): string {
  const parts = field.split('.');
  let node = selection;
  for (let index = 0; index < parts.length; index++) {
    const child = node.children.get(parts[index] ?? '');
    if (!child) return parts.slice(0, index + 1).join('.');
    node = child;
  }
  return field;
}
