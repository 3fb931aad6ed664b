// The proxy's own URL space. Health and status are answered here; other modules (the
// inspector) register their pages and APIs under ADMIN_PREFIX on the same app, and the 404
// for a mistyped path lists what was actually registered, so the list cannot go stale.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProxyFeature } from '../proxy/feature.js';
import { sendProblem } from '../proxy/problem.js';
import { ADMIN_PREFIX, isAdminPath } from './admin-path.js';

export interface AdminRouteOptions {
  /** The top of GET /__proxy/status: profile, environment, upstream. */
  readonly statusSummary: Readonly<Record<string, unknown>>;
  /** Each feature's status() goes into GET /__proxy/status under its name. */
  readonly features: readonly ProxyFeature[];
}

export interface AdminRoutes {
  /** The 404 problem for a path of the proxy's own that no page answers. */
  answerUnknownPage(request: FastifyRequest, reply: FastifyReply): void;
}

const CATCH_ALL = `${ADMIN_PREFIX}/*`;

/** Registers health, status, the bare prefix and the 404 for unknown paths under ADMIN_PREFIX; call before any other admin route is registered. */
export function registerAdminRoutes(app: FastifyInstance, options: AdminRouteOptions): AdminRoutes {
  const pages = new Set<string>();
  app.addHook('onRoute', (route) => {
    // The bare prefix only redirects to the page under it.
    if (route.url !== CATCH_ALL && route.url !== ADMIN_PREFIX && isAdminPath(route.url)) pages.add(route.url);
  });
  const answerUnknownPage = (request: FastifyRequest, reply: FastifyReply): void =>
    sendProblem(reply, {
      status: 404,
      code: 'proxy_page_not_found',
      title: 'No such proxy page',
      detail: `${request.method} ${request.url.split('?')[0]?.slice(0, 200)} is not one of the proxy's own pages (${[...pages].sort().join(', ')}); paths under ${ADMIN_PREFIX}/ are never forwarded.`,
    });

  app.get(`${ADMIN_PREFIX}/health`, async () => ({ status: 'ok' }));
  app.get(`${ADMIN_PREFIX}/status`, async () => {
    const status: Record<string, unknown> = { ...options.statusSummary };
    for (const feature of options.features) if (feature.status) status[feature.name] = feature.status();
    return status;
  });
  // Every method, so none of them falls through to the forwarder: a mistyped admin path must not reach the upstream.
  app.all(ADMIN_PREFIX, async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return reply.redirect(`${ADMIN_PREFIX}/`);
    answerUnknownPage(request, reply);
    return reply;
  });
  app.all(CATCH_ALL, async (request, reply) => {
    answerUnknownPage(request, reply);
    return reply;
  });
  return { answerUnknownPage };
}
