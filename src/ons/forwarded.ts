import type { FastifyRequest } from 'fastify';
import { ADMIN_PREFIX } from '../proxy/app.js';

/** Whether the request is for the Ons API (forwarded), not for the proxy's own pages under /__proxy. */
export function isForwarded(request: FastifyRequest): boolean {
  const url = request.url;
  if (!url.startsWith(ADMIN_PREFIX)) return true;
  const next = url.charAt(ADMIN_PREFIX.length);
  return next !== '' && next !== '/' && next !== '?';
}
