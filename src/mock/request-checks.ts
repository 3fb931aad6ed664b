// The request checked as the real API would refuse it: a required path or query parameter
// missing, a value that does not fit its schema, a required JSON body missing or not fitting.
// Each refusal is an entry of Ons's error shape (field, value, message).
import { isObject, parametersOf, resolveLocalRef, type ApiIndex, type ApiOperation, pointerOf, valueAt } from '../openapi/index.js';
import type { OnsErrorEntry } from './ons-errors.js';

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$/i;

export interface BodyPlan {
  readonly required: boolean;
  /** Where the JSON body's schema is, for the validators; undefined when the body is not JSON. */
  readonly pointer: string | undefined;
}

/** What the operation says about its request body, or undefined when it takes none. */
export function bodyPlan(api: ApiIndex, operation: ApiOperation): BodyPlan | undefined {
  const raw = operation.operation.requestBody;
  if (!isObject(raw)) return undefined;
  const base = typeof raw.$ref === 'string' ? raw.$ref : pointerOf('paths', operation.path, operation.method.toLowerCase(), 'requestBody');
  const body = typeof raw.$ref === 'string' ? resolveLocalRef(api.document, raw.$ref) : raw;
  if (!isObject(body)) return undefined;
  const media = isObject(body.content) ? Object.keys(body.content).find((type) => JSON_MEDIA.test(type)) : undefined;
  const content = media !== undefined && isObject(body.content) ? body.content[media] : undefined;
  const pointer = media !== undefined && isObject(content) && content.schema !== undefined ? `${base}/content/${media.replace(/~/g, '~0').replace(/\//g, '~1')}/schema` : undefined;
  return { required: body.required === true, pointer };
}

/** The path and query parameters that are missing or do not fit, as Ons error entries. */
export function parameterEntries(api: ApiIndex, operation: ApiOperation, params: Readonly<Record<string, string>>, query: URLSearchParams): OnsErrorEntry[] {
  const declared = new Map(parametersOf(api.document, operation.path, operation.operation).map((parameter) => [`request.${parameter.in}.${parameter.name}`, parameter.name]));
  // Unknown query parameters are the checks' advice, not a refusal: the API ignores them.
  return api.checks
    .requestLine(operation, params, query)
    .filter((finding) => declared.has(finding.where))
    .map((finding) => {
      const name = declared.get(finding.where) ?? finding.where;
      const inPath = finding.where.startsWith('request.path.');
      const bare = name.endsWith('[]') ? name.slice(0, -2) : name;
      const value = inPath ? (params[name] ?? '') : [...query.getAll(bare), ...query.getAll(`${bare}[]`)].join(',');
      return { field: name, value, message: finding.message };
    });
}

/** The body's refusals: none sent where one is required, not JSON, or not fitting its schema. */
export function bodyEntries(api: ApiIndex, plan: BodyPlan, body: Buffer, contentType: string | undefined): OnsErrorEntry[] {
  if (body.length === 0) return plan.required ? [{ field: 'body', value: '', message: 'a request body is required' }] : [];
  if (plan.pointer === undefined) return [];
  const media = contentType?.split(';', 1)[0]?.trim() ?? '';
  if (!JSON_MEDIA.test(media)) return [{ field: 'body', value: media, message: 'the body must be sent as application/json' }];
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return [{ field: 'body', value: body.toString('utf8'), message: `not valid JSON: ${(error as Error).message}` }];
  }
  const validation = api.checks.validators.validate(plan.pointer, value);
  if ('unchecked' in validation) return [];
  return validation.problems.map((problem) => ({
    field: problem.instancePath === '' ? 'body' : problem.instancePath.slice(1).replace(/\//g, '.'),
    value: shown(valueAt(value, problem.instancePath)),
    message: problem.message,
  }));
}

function shown(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
