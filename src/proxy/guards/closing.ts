import { answerEarly, type ProxyFeature } from '../feature.js';
import { sendProblem } from '../problem.js';

/**
 * Once shutdown begins, requests that still arrive on open keep-alive connections get a
 * 503 problem (with Connection: close) instead of starting new upstream work that the
 * grace period might cut off. Exchanges already running are not affected, but their
 * connections close as soon as they end.
 */
export function closingGuard(): ProxyFeature {
  let closing = false;
  return {
    name: 'closing',
    phase: 'guard',
    register(app) {
      app.addHook('preClose', async () => {
        closing = true;
      });
      // Node closes only the connections idle when closing starts; one whose response ends
      // later would stay open until the client's keep-alive runs out and hold up the shutdown.
      app.addHook('onResponse', (_request, _reply, done) => {
        if (closing) setImmediate(() => app.server.closeIdleConnections());
        done();
      });
      answerEarly(app, (_request, reply) => {
        if (!closing) return false;
        reply.header('connection', 'close');
        sendProblem(reply, {
          status: 503,
          code: 'proxy_shutting_down',
          title: 'Proxy is shutting down',
          detail: 'The proxy received a stop signal and accepts no new requests. Retry once it runs again.',
        });
        return true;
      });
    },
  };
}
