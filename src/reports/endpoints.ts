/**
 * The endpoint report: which operations an integration used, grouped by the API document's
 * tag, with calls, statuses and the answer fields it received, for the connection's Technical
 * Design request. A record no operation names keeps a path template (ids become {id}), so a
 * hundred calls to /t/clients/1 .. /t/clients/100 are one endpoint.
 */
import { isAdminPath } from '../admin/index.js';
import { USE_CASE_HEADER } from '../ons/index.js';
import type { ApiIndex } from '../openapi/index.js';
import type { RecordOperation } from '../traffic/record.js';
import { answerModelName, answerValues, collectFieldPaths } from './received-fields.js';
import { callsOf, countCall, newCounts, operationOf, pathOnly, type CallCounts, type UsedExchange } from './used-exchange.js';

export type { UsedExchange } from './used-exchange.js';
export { describeStatuses } from './used-exchange.js';

/** Path segments that are ids, not names: numbers, UUIDs, long hex and base64-like tokens. */
const ID_SEGMENTS: readonly RegExp[] = [
  /^\d+$/,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^[0-9a-f]{16,}$/i,
  // Tokens mix letters and digits; long plain words (e.g. "administration") have no digits.
  /^(?=[^/]*\d)(?=[^/]*[A-Za-z])[A-Za-z0-9_\-+=.~%]{20,}$/,
];

export const ID_PLACEHOLDER = '{id}';

/** "/t/clients/42/notes?x=1" -> "/t/clients/{id}/notes". */
export function pathTemplate(url: string): string {
  return pathOnly(url)
    .split('/')
    .map((segment) => (segment !== '' && ID_SEGMENTS.some((pattern) => pattern.test(segment)) ? ID_PLACEHOLDER : segment))
    .join('/');
}

/** The fields of one answer model the integration received. */
export interface AnswerFields {
  /** The model's schema name (administration.Client), when the document names one. */
  readonly model?: string | undefined;
  /** The status of the answers, when no model is named: their fields are grouped by status instead. */
  readonly status?: number | undefined;
  readonly fields: string[];
}

/** "administration.Client", or "answer 200" when the document names no model. */
export function answerLabel(answer: AnswerFields): string {
  return answer.model ?? `answer ${answer.status ?? ''}`.trim();
}

/** The record's operation (traffic/record.ts) without the path template, which the usage row holds itself. */
export type EndpointOperation = Omit<RecordOperation, 'path'>;

export interface EndpointUsage extends CallCounts {
  readonly method: string;
  /** The operation's path template, or the URL's path with ids as {id} when no operation names it. */
  readonly path: string;
  /** Absent when neither the records nor the loaded document name the operation. */
  readonly operation?: EndpointOperation | undefined;
  /** Per model of the successful JSON answers, the field paths received (address.city). */
  readonly answers: AnswerFields[];
  /** Calls per use case: the x-ons-usecase label, else the log tag. Calls with neither are not counted here. */
  readonly useCases: Record<string, number>;
}

/** A call's use case: the x-ons-usecase header it carried, else the log tag of the proxy that recorded it. */
export function useCaseOf(exchange: UsedExchange): string | undefined {
  const header = exchange.request?.headers[USE_CASE_HEADER];
  const raw = (Array.isArray(header) ? header[0] : header)?.trim();
  if (raw !== undefined && raw !== '') return decodeLabel(raw);
  return exchange.tag?.trim() || undefined;
}

/** Header values are Latin-1, so a tool may percent-encode "Synchroniseer cliënten"; decode it when it is valid. */
function decodeLabel(label: string): string {
  if (!label.includes('%')) return label;
  try {
    return decodeURIComponent(label);
  } catch {
    return label;
  }
}

interface Building {
  readonly usage: EndpointUsage;
  readonly fieldsByModel: Map<string, { readonly answer: Omit<AnswerFields, 'fields'>; readonly fields: Set<string> }>;
}

/**
 * Groups exchanges by operation (method and path template), sorted by tag, path and method;
 * the proxy's own pages are left out. With `api`, records written without a document are
 * named too, and answer fields are grouped by model.
 */
export function summarizeEndpoints(exchanges: Iterable<UsedExchange>, api?: ApiIndex): EndpointUsage[] {
  const tally = new EndpointTally(api);
  for (const exchange of exchanges) tally.add(exchange);
  return tally.endpoints();
}

/**
 * The endpoint report built one exchange at a time: it keeps counts and field names, never
 * the records, so its memory grows with the endpoints used, not with the log.
 */
export class EndpointTally {
  readonly #byEndpoint = new Map<string, Building>();

  constructor(private readonly api?: ApiIndex) {}

  add(exchange: UsedExchange): void {
    if (isAdminPath(exchange.url)) return;
    const { api } = this;
    const operation = operationOf(exchange, api);
    const path = operation?.path ?? pathTemplate(exchange.url);
    const key = `${exchange.method} ${path}`;
    let building = this.#byEndpoint.get(key);
    if (!building) {
      const usage: EndpointUsage = { method: exchange.method, path, ...newCounts(exchange.time), operation: operation && endpointOperation(operation), answers: [], useCases: {} };
      building = { usage, fieldsByModel: new Map() };
      this.#byEndpoint.set(key, building);
    }
    countCall(building.usage, exchange);
    const useCase = useCaseOf(exchange);
    if (useCase !== undefined) building.usage.useCases[useCase] = (building.usage.useCases[useCase] ?? 0) + callsOf(exchange).calls;
    if (exchange.response && exchange.status >= 200 && exchange.status < 300) {
      const values = answerValues(exchange.response);
      if (values.length === 0) return;
      const model = answerModelName(api, exchange.method, path, exchange.status);
      const modelKey = model ?? `answer ${exchange.status}`;
      let entry = building.fieldsByModel.get(modelKey);
      if (!entry) building.fieldsByModel.set(modelKey, (entry = { answer: model === undefined ? { status: exchange.status } : { model }, fields: new Set() }));
      for (const value of values) collectFieldPaths(value, entry.fields);
    }
  }

  endpoints(): EndpointUsage[] {
    const endpoints = [...this.#byEndpoint.values()].map(({ usage, fieldsByModel }) => {
      const answers: AnswerFields[] = [];
      for (const [, { answer, fields }] of [...fieldsByModel].sort(([a], [b]) => a.localeCompare(b))) {
        if (fields.size > 0) answers.push({ ...answer, fields: [...fields].sort() });
      }
      return { ...usage, answers };
    });
    // Endpoints no operation names come last: they are the ones a developer has to look up.
    return endpoints.sort(
      (a, b) =>
        Number(a.operation === undefined) - Number(b.operation === undefined) ||
        (a.operation?.tag ?? '').localeCompare(b.operation?.tag ?? '') ||
        a.path.localeCompare(b.path) ||
        a.method.localeCompare(b.method),
    );
  }
}

function endpointOperation(operation: EndpointOperation): EndpointOperation {
  const { id, summary, tag, deprecated, deprecatedSince, replacedBy } = operation;
  return { id, summary, tag, deprecated, deprecatedSince, replacedBy };
}
