// Which of the design's operations a call is when there is no API document: the proxy's radix
// matcher over the design's own templates. Without the document's literal paths beside them, a
// template parameter would also take a word (/clients/export as /clients/{id}), so a parameter
// here takes only what the drafts make a parameter of: ids (numbers, UUIDs, long tokens).
import { OperationMatcher } from '../openapi/matcher.js';
import type { ApiOperation } from '../openapi/operations.js';
import { ID_PLACEHOLDER, pathTemplate } from '../reports/endpoints.js';
import { operationKey, type DesignOperation } from './resolve.js';

export class DesignOnlyMatcher {
  readonly #matcher: OperationMatcher;
  readonly #byKey: ReadonlyMap<string, DesignOperation>;

  constructor(operations: ReadonlyMap<string, DesignOperation>) {
    this.#byKey = operations;
    this.#matcher = new OperationMatcher([...operations.values()].map(designOnlyOperation));
  }

  match(method: string, path: string): DesignOperation | undefined {
    const match = this.#matcher.match(method, path);
    if (match.kind !== 'operation') return undefined;
    if (!Object.values(match.params).every(isIdLike)) return undefined;
    return this.#byKey.get(operationKey(match.operation.method, match.operation.path));
  }
}

function isIdLike(value: string): boolean {
  return pathTemplate(`/${value}`) === `/${ID_PLACEHOLDER}`;
}

function designOnlyOperation(operation: DesignOperation): ApiOperation {
  const key = operationKey(operation.method, operation.path);
  return { id: key, method: operation.method, path: operation.path, summary: undefined, tag: undefined, deprecated: false, deprecatedSince: undefined, replacedBy: undefined, replacementFor: [], operation: {} };
}
