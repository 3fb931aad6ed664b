// The mock as an answer source: every request is answered from the API document. The
// operation is found with the proxy's radix matcher (literal segments beat parameters); a
// removed /t/ path, an unknown path and a method the path lacks get the API's own refusals.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasRequestBody, requestBody, type AnswerSource } from '../answers/index.js';
import { lowest2xx, operationResponses, pickContent, responseFor, type ApiIndex, type ApiOperation, type OperationResponse } from '../openapi/index.js';
import { sendProblem } from '../proxy/problem.js';
import { MockGenerator } from './generator.js';
import { MOCK_HEADER, NO_OPERATION, sendOnsError, type OnsErrorEntry } from './ons-errors.js';
import { KNOWN_PREFERENCES, parsePrefer, type Preferences } from './prefer.js';
import { bodyEntries, bodyPlan, parameterEntries } from './request-checks.js';

/** strict: a request the API would refuse gets Ons's 400; report: it is answered, and the record lists the findings. */
export type ValidateMode = 'strict' | 'report';

export interface MockOptions {
  readonly seed: number;
  readonly validate: ValidateMode;
}

export function mockAnswerSource(api: ApiIndex, options: MockOptions): AnswerSource {
  // What every operation needs (the route trees, the models registered with the validator) is
  // made before the mock listens: a proxy builds them between exchanges, but every exchange of
  // the mock needs them, and the first answer of an operation then costs only its own schema.
  api.warmUp();
  for (const step of api.checks.warmUpSteps()) step();
  const generator = new MockGenerator(api, options.seed);
  const responses = new Map<ApiOperation, OperationResponse[]>();
  const responsesOf = (operation: ApiOperation): OperationResponse[] => {
    let known = responses.get(operation);
    if (!known) responses.set(operation, (known = operationResponses(api.document, operation)));
    return known;
  };

  const answerOperation = (request: FastifyRequest, reply: FastifyReply, operation: ApiOperation, params: Readonly<Record<string, string>>, query: URLSearchParams, preferences: Preferences): void => {
    const declared = responsesOf(operation);
    const response = preferences.code === undefined ? (lowest2xx(declared) ?? responseFor(declared, 200)) : responseFor(declared, preferences.code);
    if (response === undefined) {
      if (preferences.code !== undefined) return refusePreference(reply, operation, `${operation.id} declares no ${preferences.code} answer; it declares ${declared.map((entry) => entry.key).join(', ') || 'none'}`);
      // No answer declared at all: the call succeeded, and there is nothing to say.
      void reply.code(204).header(MOCK_HEADER, operation.id).send();
      return;
    }
    const status = preferences.code ?? response.status ?? 200;
    const content = pickContent(response, request.headers.accept);
    reply.header(MOCK_HEADER, operation.id);
    if (preferences.example !== undefined) {
      const examples = content?.examples ?? {};
      if (!content || !Object.hasOwn(examples, preferences.example)) {
        const names = Object.keys(examples);
        return refusePreference(reply, operation, `the ${response.key} answer of ${operation.id} has no example "${preferences.example}"; ${names.length > 0 ? `its examples: ${names.join(', ')}` : 'it names no examples'}`);
      }
      void reply.code(status).header('content-type', content.media).send(JSON.stringify(examples[preferences.example]));
      return;
    }
    if (!content || content.schema === undefined) {
      // An error status declared without a body still gets the API's error shape: a client reads it.
      if (status >= 400) return sendOnsError(reply, status, [{ field: '', value: '', message: response.description ?? `answer ${status}` }], operation.id);
      void reply.code(status).send();
      return;
    }
    const key = preferences.dynamic ? request.id : `${request.method} ${request.url}`;
    const body = generator.body({ operation, params, query, key, dynamic: preferences.dynamic }, content);
    if ('cannot' in body) {
      sendProblem(reply, {
        status: 500,
        code: 'mock_cannot_generate',
        title: 'The mock cannot generate this answer',
        detail: `No value fits the schema at ${body.cannot.pointer} (${operation.id}, answer ${response.key}): ${body.cannot.reason}. Fix the schema in the API document, or ask another answer with Prefer: code=<status>.`,
      });
      return;
    }
    void reply.code(status).header('content-type', content.media).send(body.text);
  };

  return {
    name: 'mock',
    answer(request, reply) {
      const [path, search] = splitUrl(request.url);
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const call = api.describe(method, path);
      const { match } = call;
      switch (match.kind) {
        case 'removed':
          sendOnsError(reply, 404, [{ field: 'path', value: path, message: call.hint ?? `${path} was removed` }], match.replacement.id);
          return true;
        case 'method':
          reply.header('allow', match.methods.join(', '));
          sendOnsError(reply, 405, [{ field: 'method', value: request.method, message: call.hint ?? `${match.path} has no ${request.method} operation` }], NO_OPERATION);
          return true;
        case 'none':
          sendOnsError(reply, 404, [{ field: 'path', value: path, message: call.hint ?? `no operation matches ${path}` }], NO_OPERATION);
          return true;
        case 'operation':
          break;
      }
      const { operation, params } = match;
      const preferences = parsePrefer(request.headers.prefer);
      if ('unknown' in preferences) {
        refusePreference(reply, operation, `Prefer "${preferences.unknown}" is not one the mock knows`);
        return true;
      }
      const query = new URLSearchParams(search);
      const respond = (body: Buffer | undefined): true => {
        const refusals = options.validate === 'strict' ? requestRefusals(api, operation, params, query, body, request.headers['content-type']) : [];
        if (refusals.length > 0) sendOnsError(reply, 400, refusals, operation.id);
        else answerOperation(request, reply, operation, params, query, preferences);
        return true;
      };
      // A body is read whole before the answer (the record keeps it, the checks read it); a GET has none.
      return hasRequestBody(request) ? requestBody(request).then(respond) : respond(undefined);
    },
  };
}

/** What the API would refuse in the request: its parameters, then its body. */
function requestRefusals(api: ApiIndex, operation: ApiOperation, params: Readonly<Record<string, string>>, query: URLSearchParams, body: Buffer | undefined, contentType: string | undefined): OnsErrorEntry[] {
  const refusals = parameterEntries(api, operation, params, query);
  if (refusals.length > 0) return refusals;
  const plan = bodyPlan(api, operation);
  return plan === undefined ? [] : bodyEntries(api, plan, body ?? Buffer.alloc(0), contentType);
}

function refusePreference(reply: FastifyReply, operation: ApiOperation, what: string): void {
  reply.header(MOCK_HEADER, operation.id);
  sendProblem(reply, { status: 400, code: 'mock_unknown_prefer', title: 'The mock cannot follow this Prefer header', detail: `${what}. The mock takes ${KNOWN_PREFERENCES}.` });
}

function splitUrl(url: string): [string, string] {
  const mark = url.indexOf('?');
  return mark < 0 ? [url, ''] : [url.slice(0, mark), url.slice(mark + 1)];
}
