// The API knowledge the proxy, the commands and the reports ask: "which operation is
// METHOD path, and what does a developer need to know about that call". Built once per
// document; lookups cost microseconds.
import type { RecordOperation } from '../traffic/record.js';
import { CheckScheduler } from './check-scheduler.js';
import { OperationChecks } from './checks.js';
import type { OpenApiDocument } from './document.js';
import { OperationMatcher, type MatchOptions, type OperationMatch } from './matcher.js';
import { loadMigrationFacts, type MigrationFacts } from './migration.js';
import { describeOperationLine, indexOperations, type ApiOperation, type OperationIndex } from './operations.js';

/** What a record says about its operation: the record's own type, declared once in traffic/record.ts. */
export type OperationSummary = RecordOperation;

export interface CallDescription {
  readonly match: OperationMatch;
  /** The operation the call is; for a removed path, the operation it was (id shared with its replacement), with replacedBy. */
  readonly operation: OperationSummary | undefined;
  /** For a removed or deprecated operation, a path the document does not know, or the wrong method. */
  readonly hint: string | undefined;
  /** Set for removed and deprecated calls: warn once per run under this key. */
  readonly warnKey: string | undefined;
}

export class ApiIndex {
  readonly index: OperationIndex;
  #matcher: OperationMatcher | undefined;
  readonly #migration: MigrationFacts;
  #checks: OperationChecks | undefined;
  #scheduler: CheckScheduler<ApiOperation> | undefined;
  readonly #noteAbsentFields: boolean;
  /** What records say about each operation: the same for every call, so built once (records are never edited). */
  readonly #summaries = new Map<ApiOperation, { readonly summary: OperationSummary; readonly hint: string | undefined }>();

  constructor(
    readonly document: OpenApiDocument,
    /** Where the document came from (a file path or URL), for messages. */
    readonly source: string,
    options: { noteAbsentFields?: boolean } = {},
  ) {
    this.index = indexOperations(document);
    this.#migration = loadMigrationFacts();
    this.#noteAbsentFields = options.noteAbsentFields ?? false;
  }

  /**
   * Its radix trees cost more than parsing a 3 MB document (find-my-way compiles code per
   * route): a proxy builds them between exchanges once it listens (the scheduler's warm-up),
   * and a match that comes first finishes them at once.
   */
  get matcher(): OperationMatcher {
    return (this.#matcher ??= new OperationMatcher(this.index.operations));
  }

  /** Builds the matcher now, all at once (a command or a measurement that does not serve exchanges). */
  warmUp(): void {
    this.matcher.buildAll();
  }

  get operations(): readonly ApiOperation[] {
    return this.index.operations;
  }

  /** Compiled lazily: a proxy that only matches never builds a validator. */
  get checks(): OperationChecks {
    return (this.#checks ??= new OperationChecks(this.document, { noteAbsentFields: this.#noteAbsentFields }));
  }

  /** Prepares the matcher and the checks between exchanges; the proxy asks it before checking an exchange. */
  get scheduler(): CheckScheduler<ApiOperation> {
    const checks = this.checks;
    return (this.#scheduler ??= new CheckScheduler({
      ready: (operation) => checks.ready(operation),
      preparationSteps: (operation) => checks.preparationSteps(operation),
      warmUpSteps: () => [...this.matcher.buildSteps(), ...checks.warmUpSteps()],
    }));
  }

  /** Which operation `METHOD path` is, with the hint a developer needs. `path` carries no query. */
  describe(method: string, path: string, options: MatchOptions = {}): CallDescription {
    const match = this.matcher.match(method, path, options);
    const upper = method.toUpperCase();
    switch (match.kind) {
      case 'operation': {
        const { operation } = match;
        const { summary, hint } = this.#summary(operation);
        return { match, operation: summary, hint, warnKey: operation.deprecated ? `${operation.method} ${operation.path}` : undefined };
      }
      case 'removed': {
        const { replacement, oldPath } = match;
        const changes = this.#migration.parameterChanges(upper, oldPath);
        const when = oldPath.startsWith(this.#migration.removedPrefix) ? ` (Ons removed its ${this.#migration.removedPrefix} paths on ${this.#migration.removedOn})` : '';
        const shown = path === oldPath ? oldPath : `${path} (${oldPath})`;
        const hint = `${upper} ${shown} was removed${when}: use ${describeOperationLine(replacement)}${changes.length ? `. Parameter changes: ${changes.join('; ')}` : ''}.`;
        // The old path and its replacement share the operation id at Ons: the record names it, marked as replaced.
        const operation: OperationSummary = {
          id: replacement.id,
          summary: replacement.summary,
          tag: replacement.tag,
          path: oldPath,
          deprecated: true,
          deprecatedSince: oldPath.startsWith(this.#migration.removedPrefix) ? this.#migration.deprecatedOn : undefined,
          replacedBy: replacement.path,
        };
        return { match, operation, hint, warnKey: `${upper} ${oldPath}` };
      }
      case 'method':
        return { match, operation: undefined, hint: `${match.path} has no ${upper} operation; it has ${match.methods.join(', ')}.`, warnKey: undefined };
      case 'none': {
        const nearest = match.nearest.map(describeOperationLine).join('; ');
        const removed = path.startsWith(this.#migration.removedPrefix) ? ` Ons removed its ${this.#migration.removedPrefix} paths on ${this.#migration.removedOn}.` : '';
        return { match, operation: undefined, hint: `No operation of the API document matches ${upper} ${path}.${removed}${nearest ? ` Nearest: ${nearest}.` : ''}`, warnKey: undefined };
      }
    }
  }

  #summary(operation: ApiOperation): { readonly summary: OperationSummary; readonly hint: string | undefined } {
    let known = this.#summaries.get(operation);
    if (!known) {
      known = { summary: summarize(operation), hint: operation.deprecated ? this.#deprecatedHint(operation) : undefined };
      this.#summaries.set(operation, known);
    }
    return known;
  }

  #deprecatedHint(operation: ApiOperation): string {
    const since = operation.deprecatedSince ? ` since ${operation.deprecatedSince}` : '';
    const replacement = operation.replacedBy ? this.index.byMethodAndPath(operation.method, operation.replacedBy) : undefined;
    const use = replacement ? `: use ${describeOperationLine(replacement)}` : operation.replacedBy ? `: use ${operation.method} ${operation.replacedBy}` : '';
    const changes = this.#migration.parameterChanges(operation.method, operation.path);
    const removal = operation.path.startsWith(this.#migration.removedPrefix) ? ` Ons removed its ${this.#migration.removedPrefix} paths on ${this.#migration.removedOn}.` : '';
    return `${operation.method} ${operation.path} (${operation.id}) is deprecated${since}${use}${changes.length ? `. Parameter changes: ${changes.join('; ')}` : ''}.${removal}`;
  }
}

export function summarize(operation: ApiOperation): OperationSummary {
  return {
    id: operation.id,
    summary: operation.summary,
    tag: operation.tag,
    path: operation.path,
    deprecated: operation.deprecated ? true : undefined,
    deprecatedSince: operation.deprecatedSince,
    replacedBy: operation.replacedBy,
  };
}
