import { UserError } from '../config/errors.js';
import { describeOperationLine, isObject, parametersOf, resolveLocalRef, summarize, type ApiIndex, type ApiOperation, type OpenApiDocument, type SchemaObject } from '../openapi/index.js';
import { documentForReading, type OpenApiSubcommandInput } from './openapi.js';
import { print } from './output.js';

const METHOD = /^(get|put|post|delete|options|head|patch|trace)$/i;

/** `ons-proxy openapi show <operation id | METHOD path>`: one operation, a terminal API reference. */
export async function openApiShow({ source, args, json }: OpenApiSubcommandInput): Promise<number> {
  if (args.length === 0) throw new UserError('Say which operation: ons-proxy openapi show <operation id | METHOD path>, e.g. show ClientAPI.byId or show GET /v0/administration/clients/3.');
  const api = documentForReading(source);
  const { operations, note } = pick(api, args);
  if (json) {
    print(`${JSON.stringify(operations.map((operation) => ({ method: operation.method, ...summarize(operation), operation: operation.operation })), null, 2)}\n`);
    return 0;
  }
  const text = operations.map((operation) => describe(api.document, operation)).join('\n\n');
  print(`${note ? `${note}\n\n` : ''}${text}\n`);
  return 0;
}

function pick(api: ApiIndex, args: readonly string[]): { operations: ApiOperation[]; note?: string } {
  const [first = '', second] = args;
  if (METHOD.test(first) && second !== undefined) {
    const path = second.split('?', 1)[0] ?? second;
    const exact = api.index.byMethodAndPath(first, path);
    if (exact) return { operations: [exact] };
    const call = api.describe(first, path);
    if (call.match.kind === 'operation') return { operations: [call.match.operation] };
    if (call.match.kind === 'removed') return { operations: [call.match.replacement], note: call.hint ?? '' };
    throw new UserError(call.hint ?? `No operation matches ${first.toUpperCase()} ${path}.`);
  }
  const byId = api.index.byId(first);
  if (byId.length > 0) return { operations: byId };
  const lower = first.toLowerCase();
  const family = lower.includes('.') ? `${lower.slice(0, lower.lastIndexOf('.'))}.` : undefined;
  const similar = [...new Set(api.operations.map((operation) => operation.id))]
    .filter((id) => id.toLowerCase().includes(lower) || (family !== undefined && id.toLowerCase().startsWith(family)))
    .slice(0, 5);
  throw new UserError(`No operation has the id "${first}"${similar.length ? `; similar: ${similar.join(', ')}` : ''}. Use "ons-proxy openapi find <text>" to search.`);
}

function describe(document: OpenApiDocument, operation: ApiOperation): string {
  const lines = [describeOperationLine(operation)];
  if (operation.tag) lines.push(`Tag: ${operation.tag}`);
  if (operation.deprecated) lines.push(`Deprecated${operation.deprecatedSince ? ` since ${operation.deprecatedSince}` : ''}${operation.replacedBy ? `; replaced by ${operation.method} ${operation.replacedBy}` : ''}`);
  if (operation.replacementFor.length) lines.push(`Replaces: ${operation.replacementFor.join(', ')}`);
  const description = operation.operation.description;
  if (typeof description === 'string' && description.trim() !== '') lines.push('', description.trim());

  const parameters = parametersOf(document, operation.path, operation.operation);
  if (parameters.length) {
    lines.push('', 'Parameters:');
    for (const parameter of parameters) {
      const required = parameter.in === 'path' || parameter.required ? ', required' : '';
      lines.push(`  ${parameter.name} (${parameter.in}${required})  ${typeText(document, parameter.schema)}${parameter.description ? `  ${parameter.description}` : ''}`);
    }
  }
  const body = operation.operation.requestBody;
  const resolvedBody = isObject(body) && typeof body.$ref === 'string' ? resolveLocalRef(document, body.$ref) : body;
  if (isObject(resolvedBody) && isObject(resolvedBody.content)) {
    lines.push('', `Request body${resolvedBody.required === true ? ' (required)' : ''}:`);
    for (const [media, content] of Object.entries(resolvedBody.content)) lines.push(...modelLines(document, media, isObject(content) ? content.schema : undefined, '  '));
  }
  const responses = operation.operation.responses;
  if (isObject(responses)) {
    lines.push('', 'Answers:');
    for (const [status, raw] of Object.entries(responses)) {
      const response = isObject(raw) && typeof raw.$ref === 'string' ? resolveLocalRef(document, raw.$ref) : raw;
      const content = isObject(response) && isObject(response.content) ? Object.entries(response.content) : [];
      const label = isObject(response) && typeof response.description === 'string' ? `  ${response.description}` : '';
      if (content.length === 0) lines.push(`  ${status}${label}`);
      for (const [media, entry] of content) lines.push(...modelLines(document, `${status} ${media}`, isObject(entry) ? entry.schema : undefined, '  '));
    }
  }
  return lines.join('\n');
}

/** "200 application/json: administration.Client" and its fields, one level deep. */
function modelLines(document: OpenApiDocument, label: string, schema: unknown, indent: string): string[] {
  if (!isObject(schema)) return [`${indent}${label}`];
  const lines = [`${indent}${label}: ${typeText(document, schema)}`];
  let model = resolve(document, schema);
  if (model?.type === 'array' && isObject(model.items)) model = resolve(document, model.items);
  const properties = model && isObject(model.properties) ? model.properties : undefined;
  if (!properties) return lines;
  const required = new Set(Array.isArray(model?.required) ? (model.required as string[]) : []);
  const width = Math.max(...Object.keys(properties).map((name) => name.length));
  for (const [name, property] of Object.entries(properties)) {
    lines.push(`${indent}  ${name.padEnd(width)}  ${typeText(document, isObject(property) ? property : undefined)}${required.has(name) ? ' (required)' : ''}`);
  }
  return lines;
}

function resolve(document: OpenApiDocument, schema: SchemaObject): SchemaObject | undefined {
  let current: SchemaObject | undefined = schema;
  for (let hops = 0; current && typeof current.$ref === 'string' && hops < 20; hops++) {
    const target = resolveLocalRef(document, current.$ref);
    current = isObject(target) ? target : undefined;
  }
  return current;
}

function typeText(document: OpenApiDocument, schema: SchemaObject | undefined): string {
  if (!schema) return 'any';
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').pop() ?? schema.$ref;
  const nullable = schema.nullable === true ? ' or null' : '';
  if (schema.type === 'array') return `list of ${typeText(document, isObject(schema.items) ? schema.items : undefined)}${nullable}`;
  const format = typeof schema.format === 'string' ? ` ${schema.format}` : '';
  const choices = Array.isArray(schema.enum) ? `: ${schema.enum.map(String).join('|')}` : '';
  return `${typeof schema.type === 'string' ? schema.type : 'object'}${format}${choices}${nullable}`;
}
