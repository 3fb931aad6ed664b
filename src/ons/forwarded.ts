import type { FastifyRequest } from 'fastify';
import { isAdminPath } from '../admin/index.js';

/** Whether the request is for the Ons API (forwarded), not for the proxy's own pages under /__proxy. */
export function isForwarded(request: FastifyRequest): boolean {
  return !isAdminPath(request.url);
}
