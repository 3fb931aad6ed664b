// `ons-proxy design draft`: a design file from the records. Use cases come from the calls'
// x-ons-usecase label (or the log tag), endpoints from the operations called, and per answer
// model the fields received. Drafting again keeps everything the user wrote (titles,
// descriptions, reasons, removed endpoints and fields) and adds only what the records show that
// no draft has seen before: the file remembers that under "drafted".
import { isAdminPath } from '../admin/index.js';
import type { ApiIndex } from '../openapi/index.js';
import { answerModelName, answerValues, collectFieldPaths } from '../reports/received-fields.js';
import { pathTemplate, useCaseOf } from '../reports/endpoints.js';
import { operationOf, pathOnly, type UsedExchange } from '../reports/used-exchange.js';
import { WITHOUT_USE_CASE } from '../reports/technical-design.js';
import type { DesignEndpoint, DesignUseCase, TechnicalDesign } from './design-file.js';

export { WITHOUT_USE_CASE };

interface CalledOperation {
  /** Calls per use case label. */
  readonly labels: Map<string, number>;
  /** The model name the design must give the endpoint itself: the document names none. */
  ownModel: string | undefined;
}

export interface DraftResult {
  readonly design: TechnicalDesign;
  readonly added: { readonly useCases: number; readonly endpoints: number; readonly fields: number };
  readonly calls: number;
  /** Calls the API document has no operation for ("METHOD /path" and how often): a design entry for them would be refused. */
  readonly leftOut: ReadonlyMap<string, number>;
}

/** Collects what a draft needs from records, one at a time (never a whole log in memory). */
export class DesignDraft {
  readonly #operations = new Map<string, CalledOperation>();
  readonly #fields = new Map<string, Set<string>>();
  readonly #leftOut = new Map<string, number>();
  #calls = 0;

  constructor(private readonly api: ApiIndex | undefined) {}

  add(exchange: UsedExchange): void {
    if (isAdminPath(exchange.url) || pathOnly(exchange.url) === '/ping') return;
    this.#calls++;
    const method = exchange.method.toUpperCase();
    const described = this.api?.describe(method, pathOnly(exchange.url), { nearest: false });
    if (described !== undefined && described.match.kind !== 'operation' && described.match.kind !== 'removed') {
      // A path or method the document lacks: Ons would answer 404/405 on any stage, and the design could not name it.
      const call = `${method} ${pathOnly(exchange.url)}`;
      this.#leftOut.set(call, (this.#leftOut.get(call) ?? 0) + 1);
      return;
    }
    // A removed /t/ path is drafted as the /v0/ operation that replaced it: that is what the connection must request.
    const operation = described?.match.kind === 'removed' ? { path: described.match.replacement.path } : operationOf(exchange, this.api);
    const template = operation?.path ?? pathTemplate(exchange.url);
    const key = `${method} ${template}`;
    let called = this.#operations.get(key);
    if (!called) this.#operations.set(key, (called = { labels: new Map(), ownModel: undefined }));
    const label = useCaseOf(exchange) ?? WITHOUT_USE_CASE;
    called.labels.set(label, (called.labels.get(label) ?? 0) + 1);
    if (!exchange.response || exchange.status < 200 || exchange.status >= 300) return;
    const values = answerValues(exchange.response);
    if (values.length === 0) return;
    let model = answerModelName(this.api, exchange.method, template, exchange.status);
    if (model === undefined) {
      model = `answer of ${key}`;
      called.ownModel = model;
    }
    let fields = this.#fields.get(model);
    if (!fields) this.#fields.set(model, (fields = new Set()));
    for (const value of values) collectFieldPaths(value, fields);
  }

  /** The design: `existing` with what is new added, or a first draft. */
  result(existing: TechnicalDesign | undefined): DraftResult {
    const design: TechnicalDesign = existing ? structuredClone(existing) : { connection: '', useCases: [], models: {} };
    const drafted = { operations: [...(design.drafted?.operations ?? [])], fields: { ...(design.drafted?.fields ?? {}) } };
    const known = new Set([...drafted.operations, ...design.useCases.flatMap((useCase) => useCase.endpoints.map((endpoint) => this.#normalised(endpoint.operation)))]);
    const added = { useCases: 0, endpoints: 0, fields: 0 };
    const newUseCases: DesignUseCase[] = [];
    for (const [key, called] of [...this.#operations].sort(([a], [b]) => a.localeCompare(b))) {
      if (!drafted.operations.includes(key)) drafted.operations.push(key);
      if (known.has(key)) continue;
      const label = [...called.labels].sort(([, a], [, b]) => b - a)[0]?.[0] ?? WITHOUT_USE_CASE;
      let useCase = [...design.useCases, ...newUseCases].find((candidate) => candidate.label === label || candidate.title === label);
      if (!useCase) {
        useCase = { title: label, label, description: '', endpoints: [] };
        newUseCases.push(useCase);
        added.useCases++;
      }
      const endpoint: DesignEndpoint = { operation: key, reason: '' };
      if (called.ownModel !== undefined) endpoint.model = called.ownModel;
      useCase.endpoints.push(endpoint);
      added.endpoints++;
    }
    newUseCases.sort((a, b) => Number(a.title === WITHOUT_USE_CASE) - Number(b.title === WITHOUT_USE_CASE) || a.title.localeCompare(b.title));
    design.useCases.push(...newUseCases);
    const models = (design.models ??= {});
    for (const [model, received] of [...this.#fields].sort(([a], [b]) => a.localeCompare(b))) {
      const seen = new Set(drafted.fields[model] ?? []);
      const selected = models[model];
      const chosen = selected ?? [];
      // A field within one already selected whole (address.city under address) is selected already.
      const fresh = withoutCoveredParents([...received]).filter((field) => !seen.has(field) && !chosen.some((taken) => field === taken || field.startsWith(`${taken}.`)));
      if (fresh.length > 0) {
        models[model] = [...chosen, ...fresh].sort();
        added.fields += fresh.length;
      }
      drafted.fields[model] = [...new Set([...seen, ...received])].sort();
    }
    design.models = Object.fromEntries(Object.entries(models).sort(([a], [b]) => a.localeCompare(b)));
    design.drafted = { operations: drafted.operations.sort(), fields: Object.fromEntries(Object.entries(drafted.fields).sort(([a], [b]) => a.localeCompare(b))) };
    return { design, added, calls: this.#calls, leftOut: this.#leftOut };
  }

  /** "METHOD /template" for an endpoint as written (an operationId resolved through the document). */
  #normalised(operation: string): string {
    const written = /^([A-Za-z]+)\s+(\/\S*)$/.exec(operation.trim());
    if (written) return `${(written[1] ?? '').toUpperCase()} ${written[2] ?? ''}`;
    const [found] = this.api?.index.byId(operation.trim()).filter((candidate) => !candidate.path.startsWith('/t/')) ?? [];
    return found ? `${found.method} ${found.path}` : operation.trim();
  }
}

/** "address" goes when "address.city" is there too: a field that was null once and an object another time. */
function withoutCoveredParents(fields: readonly string[]): string[] {
  const unique = [...new Set(fields)];
  return unique.filter((field) => !unique.some((other) => other.startsWith(`${field}.`)));
}
