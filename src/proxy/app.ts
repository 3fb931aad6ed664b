import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { canonicalAdminTarget, isAdminPath, registerAdminRoutes } from '../admin/index.js';
import type { AnswerSource } from '../answers/index.js';
import type { ConsoleLogger } from '../log/logger.js';
import { newExchange, type CompletedExchange } from './exchange.js';
import { assertPhaseOrder, type ProxyFeature } from './feature.js';
import { cancelUpstream, whenExchangeEnds } from './client-abort.js';
import { answerClientError, MAX_HEADER_BYTES, methodNotSupported, problemForFrameworkError, problemForRequestError, refuseTunnel } from './client-errors.js';
import { FORWARDED_METHODS, registerForwarder } from './forwarder.js';
import { linkReply, type RawRefusal } from './raw-refusal.js';
import { toOriginForm } from './guards/index.js';
import { sendProblem } from './problem.js';

export interface ProxyAppOptions {
  readonly upstream: string;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  /** The proxy's concerns (guards, limiter, recording, ...), in the order of their phases, which is the order they see each exchange. */
  readonly features: readonly ProxyFeature[];
  /** The top of GET /__proxy/status: profile, environment, upstream. */
  readonly statusSummary: Readonly<Record<string, unknown>>;
  /** Answer sources asked before forwarding, in order (see src/answers). */
  readonly answers?: readonly AnswerSource[] | undefined;
  /** Where a failure on the proxy's own pages is told: those requests have no traffic record. */
  readonly logger: Pick<ConsoleLogger, 'error'>;
}


/** The fastify app of one proxy: exchange bookkeeping, admin routes, then the forwarder for everything else. */
export async function buildProxyApp(options: ProxyAppOptions): Promise<FastifyInstance> {
  assertPhaseOrder(options.features);
  const completers = options.features.filter((f) => f.onExchangeComplete);
  const refusalWatchers = options.features.filter((f) => f.onRawRefusal);
  const reportRefusal = (refusal: RawRefusal): void => {
    for (const feature of refusalWatchers) feature.onRawRefusal?.(refusal);
  };
  const startExchange = (request: FastifyRequest, reply: FastifyReply): void => {
    request.exchange = newExchange(request.id);
    reply.header('x-request-id', request.id);
    linkReply(reply);
    // Fires exactly once whether the response finished or the client went away (a queued
    // pipelined request included), so every exchange that reached the proxy is reported once.
    whenExchangeEnds(request, reply, () => {
      const aborted = !reply.raw.writableFinished;
      if (aborted) cancelUpstream(request);
      const completed: CompletedExchange = {
        request,
        reply,
        exchange: request.exchange,
        durationMs: performance.now() - request.exchange.startedAtMs,
        status: reply.raw.statusCode,
        aborted,
      };
      for (const feature of completers) feature.onExchangeComplete?.(completed);
    });
  };
  const app = Fastify({
    logger: false,
    // Our own id, never the client's: it keys the traffic record and the x-request-id header.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // The closing guard answers 503 as problem+json; fastify's own 503 is plain JSON.
    return503OnClosing: false,
    // HTTP_PROXY-style clients send "GET http://host/path"; route on the path, the host guard judges the host.
    // Every spelling of an admin path is routed as the admin page it names, never to the forwarder.
    rewriteUrl: (request) => {
      const target = toOriginForm(request.url ?? '/');
      return canonicalAdminTarget(target) ?? target;
    },
    // Malformed requests get a problem response from Node's parser errors; a missing Host reaches the host guard.
    clientErrorHandler: (error, socket) => answerClientError(error, socket, reportRefusal),
    // A request target the router cannot take ("/%zz") fails before any hook: it is still an
    // exchange of the client's, so it gets its id and its record like every other.
    frameworkErrors: (error, request, reply) => {
      startExchange(request, reply);
      sendProblem(reply, problemForFrameworkError(error));
    },
    http: { maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false },
  });
  app.server.on('connect', (request: IncomingMessage, socket: Duplex) => refuseTunnel(request, socket, reportRefusal));

  app.decorateRequest('exchange', null as never);
  app.addHook('onRequest', (request, reply, done) => {
    startExchange(request, reply);
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const recorded = !isAdminPath(request.url);
    const problem = problemForRequestError(error, recorded);
    sendProblem(reply, problem);
    if (problem.status !== 500) return;
    if (recorded) request.exchange.error = { code: error.code ?? 'INTERNAL', message: error.message };
    else options.logger.error(`the proxy failed on ${request.method} ${request.url.split('?')[0] ?? ''}: ${error.message}`);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply.header('allow', FORWARDED_METHODS.join(', ')), methodNotSupported(request.method, FORWARDED_METHODS)));

  const admin = registerAdminRoutes(app, { statusSummary: options.statusSummary, features: options.features });
  for (const feature of options.features) await feature.register?.(app);
  for (const feature of options.features) await feature.start?.();
  app.addHook('onClose', async () => {
    for (const feature of options.features) await feature.close?.();
  });

  await registerForwarder(app, {
    upstream: options.upstream,
    dispatcher: options.dispatcher,
    timeoutMs: options.timeoutMs,
    features: options.features,
    answerAdminPath: admin.answerUnknownPage,
    answers: options.answers,
  });
  return app;
}
