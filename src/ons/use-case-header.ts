import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { ProxyFeature } from '../proxy/feature.js';

/**
 * A label a client puts on its calls (a Postman folder, a step of an app) so that
 * `ons-proxy endpoints --format markdown` can group them into the Technical Design's use cases.
 */
export const USE_CASE_HEADER = 'x-ons-usecase';

/**
 * The label is the proxy's business, not the API's: it never goes upstream. The record keeps
 * it, because the record is built from the headers the client sent.
 */
export function useCaseHeader(): ProxyFeature {
  return {
    name: 'use-case-header',
    phase: 'adjust',
    adjustRequestHeaders(_request: FastifyRequest, headers: IncomingHttpHeaders) {
      delete headers[USE_CASE_HEADER];
    },
  };
}
