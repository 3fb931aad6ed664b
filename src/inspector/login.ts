// A browser cannot add a header to a page it navigates to: it opens the inspector once as
// /__proxy/?token=<token>, and a cookie valid only under /__proxy/ carries it from then on.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_PREFIX } from '../admin/index.js';
import type { PageLogin } from '../proxy/guards/index.js';

const INSPECTOR_COOKIE = 'ons_proxy_inspector';
const TOKEN_QUERY = /[?&]token=([^&#]*)/;

/** The inspector's login with the proxy's access token; undefined when no token is configured. */
export function inspectorLogin(token: string | undefined): PageLogin | undefined {
  if (token === undefined) return undefined;
  const expected = digest(token);
  // The cookie holds a value derived from the token, never the token itself.
  const pass = digest(`inspector:${token}`).toString('base64url');
  return {
    admits(request: FastifyRequest): boolean {
      const presented = cookieValue(request, INSPECTOR_COOKIE);
      return presented !== undefined && timingSafeEqual(digest(presented), digest(pass));
    },
    logIn(request: FastifyRequest, reply: FastifyReply): boolean {
      const fromQuery = request.method === 'GET' ? queryToken(request.url) : undefined;
      if (fromQuery === undefined || !timingSafeEqual(digest(fromQuery), expected)) return false;
      // Strict: no other site can make the browser send it; HttpOnly: no script reads it.
      reply
        .code(303)
        .header('location', `${ADMIN_PREFIX}/`)
        .header('set-cookie', `${INSPECTOR_COOKIE}=${pass}; Path=${ADMIN_PREFIX}/; HttpOnly; SameSite=Strict`)
        .header('cache-control', 'no-store')
        .send();
      return true;
    },
  };
}

/** Hashing first makes both sides the same length, so the comparison takes the same time whatever was sent. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
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
