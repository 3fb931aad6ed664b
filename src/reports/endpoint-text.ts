// The endpoint report as the terminal shows it: per tag, each operation with its calls and
// the answer fields received; endpoints no operation names as the plain path table.
import { loadMigrationFacts } from '../openapi/index.js';
import { answerLabel, type EndpointUsage } from './endpoints.js';
import { describeStatuses, shortTime } from './used-exchange.js';

export function formatEndpointReport(endpoints: readonly EndpointUsage[]): string {
  const named = endpoints.filter((endpoint) => endpoint.operation !== undefined);
  const unnamed = endpoints.filter((endpoint) => endpoint.operation === undefined);
  const sections: string[] = [];
  for (const [tag, members] of groupByTag(named)) {
    const calls = members.reduce((sum, endpoint) => sum + endpoint.calls, 0);
    sections.push([`${tag} (${plural(members.length, 'operation')}, ${plural(calls, 'call')})`, ...members.map(operationBlock)].join('\n'));
  }
  if (unnamed.length > 0) sections.push(named.length > 0 ? `Not an operation of the API document:\n${formatEndpointTable(unnamed)}` : formatEndpointTable(unnamed));
  return sections.join('\n\n');
}

export function groupByTag(endpoints: readonly EndpointUsage[]): Map<string, EndpointUsage[]> {
  const groups = new Map<string, EndpointUsage[]>();
  for (const endpoint of endpoints) {
    const tag = endpoint.operation?.tag ?? 'Untagged';
    const members = groups.get(tag);
    if (members) members.push(endpoint);
    else groups.set(tag, [endpoint]);
  }
  return groups;
}

/** "removed on 2026-05-19 (deprecated since 2025-11-19), replaced by GET /v0/administration/clients/{id}" or "" */
export function deprecationNote(endpoint: EndpointUsage): string {
  const operation = endpoint.operation;
  if (!operation?.deprecated) return '';
  const facts = loadMigrationFacts();
  const since = operation.deprecatedSince ? `deprecated since ${operation.deprecatedSince}` : 'deprecated';
  const state = endpoint.path.startsWith(facts.removedPrefix) ? `removed on ${facts.removedOn} (${since})` : since;
  const replaced = operation.replacedBy ? `, replaced by ${endpoint.method} ${operation.replacedBy}` : '';
  return `${state}${replaced}`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function operationBlock(endpoint: EndpointUsage): string {
  const operation = endpoint.operation;
  const title = `  ${endpoint.method} ${endpoint.path}  ${operation?.id ?? ''}${operation?.summary ? `: ${operation.summary}` : ''}`;
  const deprecation = deprecationNote(endpoint);
  const lines = [
    title,
    ...(deprecation ? [`    ${deprecation} (see ons-proxy migrate)`] : []),
    `    ${plural(endpoint.calls, 'call')}: ${describeStatuses(endpoint.statuses)}; first ${shortTime(endpoint.firstSeen)}, last ${shortTime(endpoint.lastSeen)}`,
    ...endpoint.answers.map((answer) => `    ${answerLabel(answer)}: ${answer.fields.join(', ')}`),
    ...(Object.keys(endpoint.useCases).length > 0 ? [`    use cases: ${Object.keys(endpoint.useCases).sort().join(', ')}`] : []),
  ];
  return lines.join('\n');
}

/** A plain-text table, one endpoint per line. */
export function formatEndpointTable(endpoints: readonly EndpointUsage[]): string {
  const rows = [['METHOD', 'PATH', 'CALLS', 'STATUSES'], ...endpoints.map((e) => [e.method, e.path, String(e.calls), describeStatuses(e.statuses)])];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map(([method = '', path = '', calls = '', statuses = '']) =>
      [method.padEnd(widths[0] ?? 0), path.padEnd(widths[1] ?? 0), calls.padStart(widths[2] ?? 0), statuses].join('  ').trimEnd(),
    )
    .join('\n');
}
