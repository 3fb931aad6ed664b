import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { ProxyFeature } from '../proxy/feature.js';

export const DEFAULT_ACCEPT = 'application/json';

/**
 * User-Agents that name an HTTP tool or library rather than the integration: curl, Postman
 * and most libraries send one on their own. Ons asks for a User-Agent that names the
 * connection, so with ONS_PROXY_USER_AGENT set these count as "the client sent none".
 * Anything else is the client's own value and is left alone.
 */
const TOOL_DEFAULT_USER_AGENTS =
  /^(?:curl|wget|postmanruntime|insomnia|bruno|httpie|python-requests|python-urllib3?|python-httpx|aiohttp|axios|node-fetch|node|undici|got|go-http-client|okhttp|java|apache-httpclient|restsharp|guzzlehttp|faraday|ruby|dart)(?:[/\s]|$)|\bpowershell\//i;

/** Whether the client sent no User-Agent of its own: none, an empty one, or a tool's default. */
export function isToolDefaultUserAgent(userAgent: string | undefined): boolean {
  return userAgent === undefined || userAgent.trim() === '' || TOOL_DEFAULT_USER_AGENTS.test(userAgent.trim());
}

/**
 * Ons requires an Accept header and asks for a User-Agent naming the connection. The proxy
 * fills in what the client left out; whatever the client chose itself is sent unchanged.
 */
export function defaultHeaders(options: { userAgent: string | undefined }): ProxyFeature {
  return {
    name: 'default-headers',
    phase: 'adjust',
    adjustRequestHeaders(_request: FastifyRequest, headers: IncomingHttpHeaders) {
      if (headers.accept === undefined || headers.accept.trim() === '') headers.accept = DEFAULT_ACCEPT;
      if (options.userAgent !== undefined && isToolDefaultUserAgent(headers['user-agent'])) headers['user-agent'] = options.userAgent;
    },
  };
}
