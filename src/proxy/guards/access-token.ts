import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { ADMIN_PREFIX, isAdminPath } from '../admin-path.js';
import { answerEarly, type ProxyFeature } from '../feature.js';
import { sendProblem, type Problem } from '../problem.js';
import { absoluteFormAuthority } from './request-target.js';

export const TOKEN_HEADER = 'x-proxy-token';
const PROXY_AUTHORIZATION = 'proxy-authorization';
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const REDACTED = '[redacted]';
// A browser cannot add a header to a page it navigates to: it opens the inspector once as
// /__proxy/?token=<token>, and a cookie valid only under /__proxy/ carries it from then on.
const INSPECTOR_COOKIE = 'ons_proxy_inspector';
const TOKEN_QUERY = /[?&]token=([^&#]*)/;

/**
 * ONS_PROXY_ACCESS_TOKEN: for shared or Docker setups, where more than the developer can
 * reach the proxy. Without a token configured every request passes, but x-proxy-token
 * is still never forwarded: it is meant for the proxy, not for Ons.
 */
export function accessTokenGuard(token: string | undefined): ProxyFeature {
  const expected = token === undefined ? undefined : digest(token);
  // The cookie holds a value derived from the token, never the token itself.
  const inspectorPass = token === undefined ? undefined : digest(`inspector:${token}`).toString('base64url');
  return {
    name: 'access-token',
    register(app) {
      answerEarly(app, (request, reply) => {
        const presented = presentedToken(request);
        // Whatever was sent, no record, console line or inspector may show it.
        redactCredentials(request.raw);
        if (expected === undefined || inspectorPass === undefined) return false;
        if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return false;
        if (isAdminPath(request.url)) {
          if (matches(cookieValue(request, INSPECTOR_COOKIE), inspectorPass)) return false;
          const fromQuery = request.method === 'GET' ? queryToken(request.url) : undefined;
          if (fromQuery !== undefined && timingSafeEqual(digest(fromQuery), expected)) {
            // Strict: no other site can make the browser send it; HttpOnly: no script reads it.
            reply
              .code(303)
              .header('location', `${ADMIN_PREFIX}/`)
              .header('set-cookie', `${INSPECTOR_COOKIE}=${inspectorPass}; Path=${ADMIN_PREFIX}/; HttpOnly; SameSite=Strict`)
              .header('cache-control', 'no-store')
              .send();
            return true;
          }
        }
        const asProxy = absoluteFormAuthority(request.originalUrl) !== undefined;
        // 407 is what HTTP_PROXY-style clients expect; browsers treat a 407 from a server as a network error, so others get 401.
        reply.header(asProxy ? 'proxy-authenticate' : 'www-authenticate', 'Bearer realm="ons-proxy"');
        sendProblem(reply, tokenProblem(asProxy ? 407 : 401, presented !== undefined));
        return true;
      });
    },
    adjustRequestHeaders(_request, headers) {
      delete headers[TOKEN_HEADER];
    },
  };
}

/** Hashing first makes both sides the same length, so the comparison takes the same time whatever was sent. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function presentedToken(request: FastifyRequest): string | undefined {
  const viaHeader = request.headers[TOKEN_HEADER];
  if (typeof viaHeader === 'string' && viaHeader !== '') return viaHeader.trim();
  const authorization = request.headers[PROXY_AUTHORIZATION];
  return typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
}

function matches(value: string | undefined, wanted: string): boolean {
  return value !== undefined && timingSafeEqual(digest(value), digest(wanted));
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return undefined;
}

function queryToken(url: string): string | undefined {
  const raw = TOKEN_QUERY.exec(url)?.[1];
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function redactCredentials(raw: IncomingMessage): void {
  for (const name of [TOKEN_HEADER, PROXY_AUTHORIZATION]) if (raw.headers[name] !== undefined) raw.headers[name] = REDACTED;
  for (let index = 0; index + 1 < raw.rawHeaders.length; index += 2) {
    const name = raw.rawHeaders[index]?.toLowerCase();
    if (name === TOKEN_HEADER || name === PROXY_AUTHORIZATION) raw.rawHeaders[index + 1] = REDACTED;
  }
}

function tokenProblem(status: 401 | 407, presented: boolean): Problem {
  return {
    status,
    code: presented ? 'access_token_invalid' : 'access_token_required',
    title: presented ? 'Access token not accepted' : 'Access token required',
    detail: presented
      ? 'The token sent does not match ONS_PROXY_ACCESS_TOKEN. Send the configured token as "Proxy-Authorization: Bearer <token>" or "x-proxy-token: <token>".'
      : 'This proxy requires its access token (ONS_PROXY_ACCESS_TOKEN). Send it as "Proxy-Authorization: Bearer <token>" or "x-proxy-token: <token>"; in a browser, open /__proxy/?token=<token> once.',
  };
}
