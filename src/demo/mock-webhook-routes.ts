/**
 * PUT /webhooks/redeliver: Ons sends again the events of the last 24 hours that failed.
 * The mock has no webhook deliveries of its own, so it only accepts the call (empty body,
 * the connection's certificate) the way Ons documents it.
 */
import type { Route } from './mock-http.js';

export const REDELIVER_ROUTE: Route = {
  methods: ['PUT'],
  pattern: /^\/webhooks\/redeliver$/,
  handle(ctx) {
    ctx.req.resume();
    ctx.res.writeHead(204);
    ctx.res.end();
  },
};
