// A browser cannot add a header to a page it navigates to: it opens the inspector once as
// /__proxy/?token=<token>, and a session cookie valid only under /__proxy/ carries it from then on.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_PREFIX } from '../admin/index.js';
import type { PageLogin } from '../proxy/guards/index.js';

const INSPECTOR_COOKIE = 'ons_proxy_inspector';
const TOKEN_QUERY = /[?&]token=([^&#]*)/;
/** How long one login keeps the inspector open, in seconds: a working day. */
export const INSPECTOR_SESSION_SECONDS = 12 * 60 * 60;

/**
 * The inspector's login with the proxy's access token; undefined when no token is configured.
 * The cookie is "<expiry>.<HMAC of the expiry>" under a key drawn at random when the proxy
 * starts: it reveals nothing about the token, cannot be forged or extended, and stops working
 * when it expires or the proxy restarts.
 */
export function inspectorLogin(token: string | undefined, now: () => number = Date.now): PageLogin | undefined {
  if (token === undefined) return undefined;
  const expected = digest(token);
  const key = randomBytes(32);
  const sign = (expiresAt: string): Buffer => createHmac('sha256', key).update(`inspector-session:${expiresAt}`).digest();
  return {
    admits(request: FastifyRequest): boolean {
      const [expiresAt = '', signature = ''] = (cookieValue(request, INSPECTOR_COOKIE) ?? '').split('.');
      if (!/^\d{1,12}$/.test(expiresAt) || Number(expiresAt) * 1000 <= now()) return false;
      const presented = Buffer.from(signature, 'base64url');
      const genuine = sign(expiresAt);
      return presented.length === genuine.length && timingSafeEqual(presented, genuine);
    },
    logIn(request: FastifyRequest, reply: FastifyReply): boolean {
      const fromQuery = request.method === 'GET' ? queryToken(request.url) : undefined;
      if (fromQuery === undefined || !timingSafeEqual(digest(fromQuery), expected)) return false;
      const expiresAt = String(Math.floor(now() / 1000) + INSPECTOR_SESSION_SECONDS);
      const session = `${expiresAt}.${sign(expiresAt).toString('base64url')}`;
      // Strict: no other site can make the browser send it; HttpOnly: no script reads it.
      reply
        .code(303)
        .header('location', `${ADMIN_PREFIX}/`)
        .header('set-cookie', `${INSPECTOR_COOKIE}=${session}; Path=${ADMIN_PREFIX}/; Max-Age=${INSPECTOR_SESSION_SECONDS}; HttpOnly; SameSite=Strict`)
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
