// The Technical Design as Markdown, in the order the Ons API Dashboard asks for it: use cases,
// their endpoints with a reason, and per endpoint the fields of its answer model. One renderer
// for both `ons-proxy design show --format markdown` (a design file) and `ons-proxy endpoints
// --format markdown` (a draft from the records): each builds a DesignView and hands it here.

export interface EndpointView {
  readonly method: string;
  readonly path: string;
  readonly operation?: { readonly id: string; readonly summary?: string | undefined; readonly tag?: string | undefined } | undefined;
  /** "removed on 2026-05-19 (deprecated since ...), replaced by GET ..." */
  readonly deprecation?: string | undefined;
  readonly reason?: string | undefined;
  /** Calls recorded, for a draft from the records. */
  readonly calls?: number | undefined;
  /** Per answer model, its fields: `administration.Client`, or a sentence for an answer without a model name. */
  readonly answers: ReadonlyArray<{ readonly model?: string | undefined; readonly status?: number | undefined; readonly fields: readonly string[] }>;
  /** What to say when there are no fields. */
  readonly noFields?: string | undefined;
}

export interface UseCaseView {
  readonly title: string;
  /** A note under the heading (why these calls have no use case). */
  readonly note?: string | undefined;
  readonly description?: string | undefined;
  readonly endpoints: readonly EndpointView[];
}

export interface DesignView {
  readonly heading: string;
  readonly intro: readonly string[];
  /** Said instead of use cases when there are none. */
  readonly empty?: string | undefined;
  readonly useCases: readonly UseCaseView[];
  /** "used" for fields received (a draft), "selected" for a design's selection. */
  readonly fieldsVerb: 'used' | 'selected';
}

export function renderDesignMarkdown(view: DesignView): string {
  const lines = [`# ${view.heading}`];
  for (const paragraph of view.intro) lines.push('', paragraph);
  if (view.useCases.length === 0 && view.empty) lines.push('', view.empty);
  const withCalls = view.useCases.some((useCase) => useCase.endpoints.some((endpoint) => endpoint.calls !== undefined));
  for (const useCase of view.useCases) {
    lines.push('', `## ${useCase.title}`, '');
    if (useCase.note) lines.push(useCase.note, '');
    lines.push(`Description: ${useCase.description?.trim() ? useCase.description.trim() : '_what this use case does for the care organisation_'}`, '');
    lines.push(withCalls ? '| Method | Endpoint | Operation | Calls |' : '| Method | Endpoint | Operation |', withCalls ? '|---|---|---|---|' : '|---|---|---|');
    for (const endpoint of useCase.endpoints) {
      const row = `| ${endpoint.method} | \`${endpoint.path}\` | ${cell(operationLabel(endpoint))} |`;
      lines.push(withCalls ? `${row} ${endpoint.calls ?? 0} |` : row);
    }
    for (const endpoint of useCase.endpoints) lines.push('', ...endpointSection(endpoint, view.fieldsVerb));
  }
  return `${lines.join('\n')}\n`;
}

function endpointSection(endpoint: EndpointView, verb: DesignView['fieldsVerb']): string[] {
  const lines = [`### ${endpoint.method} ${endpoint.path}`, ''];
  const operation = endpoint.operation;
  lines.push(operation ? `${operationLabel(endpoint)}${operation.tag ? ` (tag ${operation.tag})` : ''}` : 'No operation of the API document matches this path: check it with `ons-proxy openapi find`.');
  if (endpoint.deprecation) lines.push('', `**Do not request this endpoint**: it was ${endpoint.deprecation}. \`ons-proxy migrate\` lists what changes.`);
  lines.push('', `Reason: ${endpoint.reason?.trim() ? endpoint.reason.trim() : '_why this use case needs it_'}`);
  if (endpoint.answers.length === 0) {
    if (endpoint.noFields) lines.push('', endpoint.noFields);
    return lines;
  }
  for (const answer of endpoint.answers) {
    const of = answer.model === undefined ? `the ${answer.status ?? ''} answer (the API document names no model for it)` : `\`${answer.model}\``;
    lines.push('', `Fields ${verb} of ${of}:`, '', ...answer.fields.map((field) => `- \`${field}\``));
  }
  return lines;
}

function operationLabel(endpoint: EndpointView): string {
  const operation = endpoint.operation;
  if (!operation) return '(no operation)';
  return `${operation.id}${operation.summary ? `: ${operation.summary}` : ''}`;
}

/** A Markdown table cell: a pipe in a summary would end it. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
