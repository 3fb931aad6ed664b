import { UserError } from '../config/errors.js';
import { summarize } from '../openapi/index.js';
import { documentForReading, type OpenApiSubcommandInput } from './openapi.js';
import { print } from './output.js';

/** `ons-proxy openapi find <text>`: operations whose path, id, summary or tag contain the text. */
export async function openApiFind({ source, args, json }: OpenApiSubcommandInput): Promise<number> {
  const text = args.join(' ').trim().toLowerCase();
  if (text === '') throw new UserError('Say what to look for: ons-proxy openapi find <text>, e.g. find clients or find ClientAPI.');
  const api = documentForReading(source);
  const found = api.operations.filter((operation) =>
    [operation.path, operation.id, operation.summary ?? '', operation.tag ?? ''].some((field) => field.toLowerCase().includes(text)),
  );
  if (json) {
    print(`${JSON.stringify(found.map((operation) => ({ method: operation.method, ...summarize(operation) })), null, 2)}\n`);
    return 0;
  }
  if (found.length === 0) {
    print(`No operation of ${api.source} mentions "${text}".\n`);
    return 0;
  }
  const width = Math.min(70, Math.max(...found.map((operation) => operation.method.length + 1 + operation.path.length)));
  const lines = found.map((operation) => {
    const left = `${operation.method} ${operation.path}`.padEnd(width);
    const deprecated = operation.deprecated ? ` [deprecated${operation.deprecatedSince ? ` since ${operation.deprecatedSince}` : ''}]` : '';
    return `${left}  ${operation.id}${operation.summary ? `: ${operation.summary}` : ''}${deprecated}`;
  });
  print(`${found.length} operation${found.length === 1 ? '' : 's'} in ${api.source}:\n${lines.join('\n')}\n`);
  return 0;
}
