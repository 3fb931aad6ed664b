import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAdminPath } from '../../admin/index.js';
import { ConfigError } from '../../config/errors.js';
import { answerEarly, type ProxyFeature } from '../feature.js';
import { sendProblem, type Problem } from '../problem.js';
import { quoteForDetail } from './authority.js';

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const EXPOSED_HEADERS = 'x-request-id, x-upstream-request-id, location, retry-after, content-disposition';
const PREFLIGHT_MAX_AGE_SECONDS = '600';
const HEADER_NAME_LIST = /^[!#$%&'*+.^_`|~0-9a-z-]+(\s*,\s*[!#$%&'*+.^_`|~0-9a-z-]+)*$/i;

/**
 * Web pages may call the proxy only from the origins in ONS_PROXY_CORS_ORIGINS (and the
 * proxy's own pages): anything a page can call, it calls with the developer's
 * certificate. Listed origins get full CORS, and their preflights are answered here,
 * never forwarded: the Ons API knows nothing about the developer's prototype.
 */
export function corsGuard(configuredOrigins: readonly string[]): ProxyFeature {
  const listed = new Set(configuredOrigins.map(normaliseConfiguredOrigin));

  // The proxy's own pages (the inspector) are same-origin: their Origin repeats the Host, which the host guard already checked.
  const isAllowed = (origin: string, request: FastifyRequest): boolean =>
    listed.has(origin) || origin === `http://${(request.headers.host ?? '').toLowerCase()}`;

  return {
    name: 'cors',
    phase: 'guard',
    register(app) {
      answerEarly(app, (request, reply) => {
        const origin = request.headers.origin?.toLowerCase();
        if (origin === undefined) {
          if (navigatedFromElsewhere(request)) {
            sendProblem(reply, navigationRefused());
            return true;
          }
          if (!triggeredByForeignSite(request)) return false;
          sendProblem(reply, crossSiteRefused());
          return true;
        }
        if (!isAllowed(origin, request)) {
          sendProblem(reply, originRefused(request.headers.origin ?? ''));
          return true;
        }
        if (isPreflight(request)) {
          answerPreflight(request, reply, origin);
          return true;
        }
        return false;
      });
      // onSend, not onRequest: the upstream's own CORS headers must not override ours. A callback
      // hook, not an async one: fastify must pipe a forwarded body in the same tick, because body
      // observers may already have set it flowing.
      app.addHook('onSend', (request, reply, payload, done) => {
        const origin = request.headers.origin?.toLowerCase();
        if (origin !== undefined && listed.has(origin)) allowOrigin(reply, origin);
        done(null, payload);
      });
    },
  };
}

function normaliseConfiguredOrigin(entry: string): string {
  try {
    const url = new URL(entry);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && (url.pathname === '/' || url.pathname === '') && !url.search) return url.origin.toLowerCase();
  } catch {
    // reported below
  }
  throw new ConfigError(`ONS_PROXY_CORS_ORIGINS: "${entry}" is not an origin; list scheme, host and port only, e.g. http://localhost:5173.`);
}

function isPreflight(request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
}

/** A request a foreign web site made the browser send without an Origin (an <img> or <script> tag), other than a plain navigation. */
function triggeredByForeignSite(request: FastifyRequest): boolean {
  return request.headers['sec-fetch-site'] === 'cross-site' && request.headers['sec-fetch-mode'] !== 'navigate';
}

/**
 * Another site (or another port of this one) opened a forwarded path in a window or frame.
 * Such a page shows care data fetched with the developer's certificate to whoever arranged
 * the visit; typing the URL, a bookmark (Sec-Fetch-Site: none) and the proxy's own pages still open it.
 */
function navigatedFromElsewhere(request: FastifyRequest): boolean {
  if (request.headers['sec-fetch-mode'] !== 'navigate' || isAdminPath(request.url)) return false;
  const site = request.headers['sec-fetch-site'];
  return site === 'cross-site' || site === 'same-site';
}

function allowOrigin(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-expose-headers', EXPOSED_HEADERS);
  const vary = reply.getHeader('vary');
  if (typeof vary !== 'string' || !/\borigin\b/i.test(vary)) reply.header('vary', vary ? `${String(vary)}, Origin` : 'Origin');
}

function answerPreflight(request: FastifyRequest, reply: FastifyReply, origin: string): void {
  allowOrigin(reply, origin);
  reply.header('access-control-allow-methods', ALLOWED_METHODS);
  const requested = request.headers['access-control-request-headers'];
  if (typeof requested === 'string' && HEADER_NAME_LIST.test(requested)) reply.header('access-control-allow-headers', requested);
  // Chrome's Private Network Access: a listed page on a public site may reach this loopback proxy.
  if (request.headers['access-control-request-private-network'] === 'true') reply.header('access-control-allow-private-network', 'true');
  reply.header('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
  reply.header('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
  reply.code(204).send();
}

function originRefused(origin: string): Problem {
  return {
    status: 403,
    code: 'origin_not_allowed',
    title: 'Web page origin not allowed',
    detail:
      `A web page at ${quoteForDetail(origin)} sent this request, and that origin is not listed in ONS_PROXY_CORS_ORIGINS. ` +
      'A page you visit must not call the API with your certificate. If it is your own prototype, add its origin, e.g. ONS_PROXY_CORS_ORIGINS=http://localhost:5173.',
  };
}

function navigationRefused(): Problem {
  return {
    status: 403,
    code: 'cross_origin_navigation',
    title: 'Opened from another web page',
    detail:
      'A page of another origin opened this API path in your browser (Sec-Fetch-Site: cross-site or same-site), which would show it data fetched with your certificate. ' +
      'Open the URL yourself (type or paste it), or fetch it from code.',
  };
}

function crossSiteRefused(): Problem {
  return {
    status: 403,
    code: 'cross_site_request',
    title: 'Cross-site request refused',
    detail: 'Another web site made your browser send this request (Sec-Fetch-Site: cross-site). Call the proxy from your own code, or from a page whose origin is listed in ONS_PROXY_CORS_ORIGINS.',
  };
}
