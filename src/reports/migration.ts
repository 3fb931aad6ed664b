// `ons-proxy migrate`: every removed or deprecated operation the records show, with what
// replaced it, Ons's parameter changes and how many calls each had, as a checklist.
import { isAdminPath } from '../admin/index.js';
import type { ApiIndex, MigrationFacts } from '../openapi/index.js';
import { pathTemplate } from './endpoints.js';
import { countCall, newCounts, pathOnly, shortTime, type CallCounts, type UsedExchange } from './used-exchange.js';

export interface Replacement {
  readonly method: string;
  readonly path: string;
  readonly id?: string | undefined;
  readonly summary?: string | undefined;
}

export interface MigrationItem extends CallCounts {
  readonly method: string;
  /** The old path template the calls used. */
  readonly path: string;
  readonly operationId?: string | undefined;
  /** removed: Ons no longer serves it (its /t/ paths); deprecated: still served, to be removed. */
  readonly state: 'removed' | 'deprecated';
  readonly deprecatedSince?: string | undefined;
  readonly removedOn?: string | undefined;
  /** Absent when neither the document nor the record names one. */
  readonly replacement?: Replacement | undefined;
  readonly parameterChanges: readonly string[];
  /** The hint the proxy gave, for calls whose replacement is unknown. */
  readonly hint?: string | undefined;
}

type Found = Omit<MigrationItem, keyof CallCounts | 'parameterChanges' | 'state' | 'removedOn'>;

export function summarizeMigration(exchanges: Iterable<UsedExchange>, facts: MigrationFacts, api?: ApiIndex): MigrationItem[] {
  const tally = new MigrationTally(facts, api);
  for (const exchange of exchanges) tally.add(exchange);
  return tally.items();
}

/** The checklist built one exchange at a time: memory grows with the operations, not the log. */
export class MigrationTally {
  readonly #items = new Map<string, MigrationItem>();

  constructor(
    private readonly facts: MigrationFacts,
    private readonly api?: ApiIndex,
  ) {}

  add(exchange: UsedExchange): void {
    if (isAdminPath(exchange.url)) return;
    const { facts, api } = this;
    const found = api ? fromDocument(exchange, api, facts) : fromRecord(exchange, facts);
    if (!found) return;
    const key = `${found.method} ${found.path}`;
    let item = this.#items.get(key);
    if (!item) {
      const removed = found.path.startsWith(facts.removedPrefix);
      item = {
        ...found,
        ...newCounts(exchange.time),
        state: removed ? 'removed' : 'deprecated',
        removedOn: removed ? facts.removedOn : undefined,
        parameterChanges: facts.parameterChanges(found.method, found.path),
      };
      this.#items.set(key, item);
    }
    countCall(item, exchange);
  }

  items(): MigrationItem[] {
    // The most-used first: they are where moving off pays most.
    return [...this.#items.values()].sort((a, b) => b.calls - a.calls || a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  }
}

function fromDocument(exchange: UsedExchange, api: ApiIndex, facts: MigrationFacts): Found | undefined {
  const path = pathOnly(exchange.url);
  const call = api.describe(exchange.method, path, { nearest: false });
  const { match } = call;
  switch (match.kind) {
    case 'removed':
      return {
        method: match.replacement.method,
        path: match.oldPath,
        operationId: match.replacement.id,
        deprecatedSince: call.operation?.deprecatedSince,
        replacement: { method: match.replacement.method, path: match.replacement.path, id: match.replacement.id, summary: match.replacement.summary },
      };
    case 'operation': {
      const { operation } = match;
      if (!operation.deprecated) return undefined;
      const next = operation.replacedBy === undefined ? undefined : api.index.byMethodAndPath(operation.method, operation.replacedBy);
      const replacement = next ? { method: next.method, path: next.path, id: next.id, summary: next.summary } : operation.replacedBy ? { method: operation.method, path: operation.replacedBy } : undefined;
      return { method: operation.method, path: operation.path, operationId: operation.id, deprecatedSince: operation.deprecatedSince, replacement, hint: replacement ? undefined : call.hint };
    }
    case 'method':
    case 'none':
      // A path under the removed prefix that the document does not know at all is still a call to move.
      return path.startsWith(facts.removedPrefix) ? { method: exchange.method.toUpperCase(), path: pathTemplate(exchange.url), hint: call.hint } : undefined;
  }
}

function fromRecord(exchange: UsedExchange, facts: MigrationFacts): Found | undefined {
  const operation = exchange.operation;
  const method = exchange.method.toUpperCase();
  if (operation?.deprecated) {
    return {
      method,
      path: operation.path,
      operationId: operation.id,
      deprecatedSince: operation.deprecatedSince,
      // Ons's old and new path share the operation id; the record names the id and the new path.
      replacement: operation.replacedBy ? { method, path: operation.replacedBy, id: operation.id, summary: operation.summary } : undefined,
      hint: operation.replacedBy ? undefined : exchange.hint,
    };
  }
  if (operation === undefined && pathOnly(exchange.url).startsWith(facts.removedPrefix)) return { method, path: pathTemplate(exchange.url), hint: exchange.hint };
  return undefined;
}

/** The checklist as Markdown task items, so it pastes into an issue or a pull request. */
export function formatMigrationChecklist(items: readonly MigrationItem[]): string {
  return items.map(checklistItem).join('\n\n');
}

function checklistItem(item: MigrationItem): string {
  const name = item.operationId ? ` (${item.operationId})` : '';
  const lines = [`- [ ] ${item.method} ${item.path}${name}: ${item.calls} ${item.calls === 1 ? 'call' : 'calls'}, last ${shortTime(item.lastSeen)}`];
  const since = item.deprecatedSince ? `deprecated since ${item.deprecatedSince}` : undefined;
  const state = item.state === 'removed' ? [`removed on ${item.removedOn ?? 'an unknown date'}`, since] : [since ?? 'deprecated'];
  lines.push(`      ${state.filter(Boolean).join(', ')}`);
  const replacement = item.replacement;
  if (replacement) lines.push(`      use ${replacement.method} ${replacement.path}${replacement.id ? ` ${replacement.id}` : ''}${replacement.summary ? `: ${replacement.summary}` : ''}`);
  else lines.push(`      replacement unknown${item.hint ? `: ${item.hint}` : ''}`);
  if (item.parameterChanges.length > 0) lines.push(`      parameter changes: ${item.parameterChanges.join('; ')}`);
  return lines.join('\n');
}
