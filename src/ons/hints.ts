import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OnsEnvironment } from '../config/settings.js';
import type { ProxyFeature } from '../proxy/feature.js';
import { HINT_TEXTS, type HintName } from './hint-texts.js';

export interface HintContext {
  readonly status: number;
  readonly environment: OnsEnvironment;
  /** The request path, without the query. */
  readonly path: string;
  /** The Accept header the client sent, if any. */
  readonly accept: string | undefined;
  readonly maxConcurrency: number;
}

function hintName({ status, environment, path }: HintContext): HintName | undefined {
  switch (status) {
    case 403:
      if (path === '/ping') return 'pingForbidden';
      return environment === 'development' ? 'forbiddenOnDevelopment' : 'forbiddenApproved';
    case 406:
      return 'notAcceptable';
    case 429:
      return 'tooManyRequests';
    case 495:
      return 'certificateInvalid';
    default:
      return undefined;
  }
}

/** The one-line hint for an upstream status, or undefined when the status needs none. */
export function hintFor(context: HintContext): string | undefined {
  const name = hintName(context);
  if (name === undefined) return undefined;
  const values: Record<string, string> = {
    environment: context.environment,
    accept: context.accept === undefined ? 'none sent, so the proxy sent application/json' : `"${context.accept}"`,
    maxConcurrency: String(context.maxConcurrency),
  };
  return HINT_TEXTS[name].replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** Explains Ons's 403, 406, 429 and 495 answers: sets exchange.hint, which the console line and the record show. */
export function onsHints(options: { environment: OnsEnvironment; maxConcurrency: number }): ProxyFeature {
  return {
    name: 'hints',
    phase: 'observe',
    // Called only for answers from upstream, never for the proxy's own problem responses.
    observeUpstreamResponse(request: FastifyRequest, reply: FastifyReply) {
      const accept = request.headers.accept;
      const hint = hintFor({
        status: reply.statusCode,
        environment: options.environment,
        path: request.url.split('?', 1)[0] ?? request.url,
        accept: accept === undefined || accept === '' ? undefined : accept,
        maxConcurrency: options.maxConcurrency,
      });
      if (hint !== undefined) request.exchange.hint = hint;
    },
  };
}
