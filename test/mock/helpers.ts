// Shared by the mock suites: a document on disk, the mock started as a user starts it, and a
// concrete call for any operation, built from its template and its parameters' schemas.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { sample } from 'openapi-sampler';
import { isObject, parametersOf, type ApiIndex, type ApiOperation, type SchemaObject } from '../../src/openapi/index.js';
import { spawnProxy, type SpawnedProxy } from '../support/cli.js';

export async function writeDocument(dir: string, name: string, document: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, JSON.stringify(document));
  return file;
}

/** `ons-proxy mock <args>` in `dir`, its records in dir/logs, its cache in dir/cache (never the user's). */
export function startMock(dir: string, args: readonly string[], env: Record<string, string> = {}): Promise<SpawnedProxy> {
  return spawnProxy(['mock', ...args], { cwd: dir, env: { ONS_PROXY_LOG_DIR: path.join(dir, 'logs'), XDG_CACHE_HOME: path.join(dir, 'cache'), HOME: dir, ...env } });
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export async function call(baseUrl: string, target: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const response = await request(`${baseUrl}${target}`, {
    method: (init.method ?? 'GET') as 'GET',
    headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body,
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

export interface ConcreteCall {
  readonly method: string;
  /** Path and query, e.g. /v0/administration/clients/42?from_date=2026-01-15 */
  readonly target: string;
  readonly body: string | undefined;
}

/** A request the API would take for `operation`: path parameters filled, required query parameters given, a body that fits. */
export function concreteCall(api: ApiIndex, operation: ApiOperation): ConcreteCall {
  const parameters = parametersOf(api.document, operation.path, operation.operation);
  let target = operation.path;
  const query = new URLSearchParams();
  for (const parameter of parameters) {
    const value = valueFor(api, parameter.schema);
    if (parameter.in === 'path') target = target.replace(`{${parameter.name}}`, encodeURIComponent(value));
    else if (parameter.in === 'query' && parameter.required) query.append(parameter.name, value);
  }
  const text = query.toString();
  return { method: operation.method, target: text === '' ? target : `${target}?${text}`, body: bodyFor(api, operation) };
}

function valueFor(api: ApiIndex, schema: SchemaObject | undefined): string {
  const resolved = schema && typeof schema.$ref === 'string' ? (api.document.components?.schemas?.[schema.$ref.split('/').pop() ?? ''] as SchemaObject | undefined) : schema;
  if (!resolved) return 'abc';
  if (Array.isArray(resolved.enum) && resolved.enum.length > 0) return String(resolved.enum[0]);
  switch (resolved.type) {
    case 'integer':
      return '42';
    case 'number':
      return '4.5';
    case 'boolean':
      return 'true';
    case 'array':
      return valueFor(api, isObject(resolved.items) ? (resolved.items as SchemaObject) : undefined);
    default:
      if (resolved.format === 'date') return '2026-01-15';
      if (resolved.format === 'date-time') return '2026-01-15T10:00:00Z';
      if (resolved.format === 'uuid') return '095be615-a8ad-4c33-8e9c-c7612fbf6c9f';
      return 'abc';
  }
}

function bodyFor(api: ApiIndex, operation: ApiOperation): string | undefined {
  const body = operation.operation.requestBody;
  const schema = body?.content?.['application/json']?.schema;
  return schema === undefined ? undefined : JSON.stringify(sample(schema as never, { skipReadOnly: true, quiet: true }, api.document));
}
