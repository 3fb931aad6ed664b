// `ons-proxy endpoints --format markdown`: a draft of the connection's Technical Design, in
// the shape the Ons API Dashboard asks for it: use cases, each with its endpoints, and per
// endpoint the model fields the integration needs (here: the ones it received).
import type { EndpointUsage } from './endpoints.js';
import { deprecationNote } from './endpoint-text.js';

export interface DraftContext {
  /** "15 calls recorded in ./logs since …" */
  readonly scope: string;
  /** Which API document named the operations, or that none was available. */
  readonly documentNote: string;
}

export const WITHOUT_USE_CASE = 'Calls without a use case';

export function formatTechnicalDesign(endpoints: readonly EndpointUsage[], context: DraftContext): string {
  const lines = [
    '# Technical Design (draft)',
    '',
    `Drawn from ${context.scope}. ${context.documentNote}`,
    '',
    'Review it before you enter it in the Ons API Dashboard: request only the endpoints and fields this connection needs, give each use case a description and each endpoint a reason. The fields are the ones the API actually sent; on staging and production the connection receives only the fields its approved Technical Design selects.',
  ];
  if (endpoints.length === 0) lines.push('', 'No exchanges were recorded there, so there is nothing to draft yet: run your integration through the proxy first.');
  for (const [useCase, members] of byUseCase(endpoints)) {
    lines.push('', `## ${useCase}`, '');
    if (useCase === WITHOUT_USE_CASE) lines.push('These calls carried no `x-ons-usecase` header and the proxy had no log tag (ONS_PROXY_LOG_TAG): label them to sort them into use cases.', '');
    lines.push('Description: _what this use case does for the care organisation_', '', '| Method | Endpoint | Operation | Calls |', '|---|---|---|---|');
    for (const { endpoint, calls } of members) lines.push(`| ${endpoint.method} | \`${endpoint.path}\` | ${cell(operationLabel(endpoint))} | ${calls} |`);
    for (const { endpoint } of members) lines.push('', ...endpointSection(endpoint));
  }
  return `${lines.join('\n')}\n`;
}

/** Use cases in name order, the unlabelled calls last; an endpoint appears under each use case that called it. */
function byUseCase(endpoints: readonly EndpointUsage[]): Array<[string, Array<{ endpoint: EndpointUsage; calls: number }>]> {
  const groups = new Map<string, Array<{ endpoint: EndpointUsage; calls: number }>>();
  const add = (name: string, endpoint: EndpointUsage, calls: number): void => {
    const members = groups.get(name);
    if (members) members.push({ endpoint, calls });
    else groups.set(name, [{ endpoint, calls }]);
  };
  for (const endpoint of endpoints) {
    let labelled = 0;
    for (const [name, calls] of Object.entries(endpoint.useCases)) {
      add(name, endpoint, calls);
      labelled += calls;
    }
    if (endpoint.calls > labelled) add(WITHOUT_USE_CASE, endpoint, endpoint.calls - labelled);
  }
  return [...groups].sort(([a], [b]) => Number(a === WITHOUT_USE_CASE) - Number(b === WITHOUT_USE_CASE) || a.localeCompare(b));
}

function endpointSection(endpoint: EndpointUsage): string[] {
  const lines = [`### ${endpoint.method} ${endpoint.path}`, ''];
  const operation = endpoint.operation;
  lines.push(operation ? `${operationLabel(endpoint)}${operation.tag ? ` (tag ${operation.tag})` : ''}` : 'No operation of the API document matches this path: check it with `ons-proxy openapi find`.');
  const deprecation = deprecationNote(endpoint);
  if (deprecation) lines.push('', `**Do not request this endpoint**: it was ${deprecation}. \`ons-proxy migrate\` lists what changes.`);
  lines.push('', 'Reason: _why this use case needs it_');
  if (endpoint.answers.length === 0) {
    lines.push('', 'Fields: none recorded (no successful JSON answer with a body was recorded for it).');
    return lines;
  }
  for (const answer of endpoint.answers) {
    const of = answer.model === undefined ? `the ${answer.status ?? ''} answer (the API document names no model for it)` : `\`${answer.model}\``;
    lines.push('', `Fields used of ${of}:`, '', ...answer.fields.map((field) => `- \`${field}\``));
  }
  return lines;
}

function operationLabel(endpoint: EndpointUsage): string {
  const operation = endpoint.operation;
  if (!operation) return '(no operation)';
  return `${operation.id}${operation.summary ? `: ${operation.summary}` : ''}`;
}

/** A Markdown table cell: a pipe in a summary would end it. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
