import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CREDENTIAL_HEADERS, redactCredentialHeaders } from '../../traffic/credential-headers.js';
import { isAdminPath } from '../../admin/index.js';
import { answerEarly, type ProxyFeature } from '../feature.js';
import { sendProblem, type Problem } from '../problem.js';
import { absoluteFormAuthority } from './request-target.js';

const { token: TOKEN_HEADER, proxyAuthorization: PROXY_AUTHORIZATION } = CREDENTIAL_HEADERS;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Another way in for the proxy's own pages (the inspector's cookie), for a browser that cannot send a header. */
export interface PageLogin {
  /** Whether the request carries what an earlier login handed out. */
  admits(request: FastifyRequest): boolean;
  /** Answers the request itself (true) when it is a login with the configured token. */
  logIn(request: FastifyRequest, reply: FastifyReply): boolean;
}

/**
 * ONS_PROXY_ACCESS_TOKEN: for shared or Docker setups, where more than the developer can
 * reach the proxy. Without a token configured every request passes, but x-proxy-token
 * is still never forwarded: it is meant for the proxy, not for Ons.
 */
export function accessTokenGuard(token: string | undefined, pageLogin?: PageLogin): ProxyFeature {
  const expected = token === undefined ? undefined : digest(token);
  return {
    name: 'access-token',
    phase: 'guard',
    register(app) {
      answerEarly(app, (request, reply) => {
        const presented = presentedToken(request);
        // Whatever was sent, no record, console line or inspector may show it.
        redactCredentialHeaders(request.raw);
        if (expected === undefined) return false;
        if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return false;
        if (pageLogin !== undefined && isAdminPath(request.url)) {
          if (pageLogin.admits(request)) return false;
          if (pageLogin.logIn(request, reply)) return true;
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
