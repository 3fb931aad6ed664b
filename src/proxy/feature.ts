import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CompletedExchange } from './exchange.js';
import type { RawRefusal } from './raw-refusal.js';

/**
 * Where in an exchange a feature does its work. Features are listed in this order (the
 * proxy refuses to start otherwise), so list order and run order agree:
 * - setup: takes no part in exchanges; prepares what they rely on (the client certificate) in start().
 * - guard: may refuse a request as it arrives (an onRequest check, see answerEarly), before anything else sees it.
 * - admit: decides when an accepted request goes upstream (the parallel limit waits in preHandler).
 * - adjust: changes what goes upstream (request headers).
 * - observe: sees the upstream's answer and the finished exchange (hints, recording, the inspector).
 */
export const FEATURE_PHASES = ['setup', 'guard', 'admit', 'adjust', 'observe'] as const;
export type FeaturePhase = (typeof FEATURE_PHASES)[number];

/**
 * One concern of the proxy (recording, access guards, the concurrency limiter, ...),
 * seeing the same exchange. Adding a concern means adding a feature, not editing the core.
 */
export interface ProxyFeature {
  readonly name: string;
  readonly phase: FeaturePhase;
  /** Work outside HTTP (watchers, timers, signal handlers), started once the app is built; close() stops it. */
  start?(): void | Promise<void>;
  /** Hooks and routes, registered before the catch-all forwarder. */
  register?(app: FastifyInstance): void | Promise<void>;
  /** Sees each upstream call (a retry included) as it is dispatched; a returned function runs once when that call has ended. */
  onUpstreamCall?(request: FastifyRequest): (() => void) | undefined;
  /** Adjusts the headers sent upstream (hop-by-hop headers are already gone). */
  adjustRequestHeaders?(request: FastifyRequest, headers: IncomingHttpHeaders): void;
  /** Sees an upstream answer's status and headers on the reply, just before it is sent (never the proxy's own answers). */
  observeUpstreamResponse?(request: FastifyRequest, reply: FastifyReply): void;
  /** Called once per exchange that reached the proxy, however it ended. */
  onExchangeComplete?(completed: CompletedExchange): void;
  /** Called once per answer the proxy wrote on a connection fastify never handled (CONNECT, a request the HTTP parser rejected). */
  onRawRefusal?(refusal: RawRefusal): void;
  /** What this feature contributes to GET /__proxy/status, under its name. */
  status?(): Record<string, unknown>;
  /** Releases resources when the proxy stops (flush files, stop watchers). */
  close?(): Promise<void>;
}

/** Throws when a feature is listed after one of a later phase: a mistake in the code, not in any setting. */
export function assertPhaseOrder(features: readonly ProxyFeature[]): void {
  let latest: ProxyFeature | undefined;
  for (const feature of features) {
    if (latest && FEATURE_PHASES.indexOf(feature.phase) < FEATURE_PHASES.indexOf(latest.phase)) {
      throw new Error(`feature "${feature.name}" (phase ${feature.phase}) is listed after "${latest.name}" (phase ${latest.phase}); list features in the order ${FEATURE_PHASES.join(', ')}`);
    }
    latest = feature;
  }
}

/**
 * Registers an onRequest check that may answer the request itself (`answer` returns true
 * once it sent the reply). A callback hook, not an async one: no promise and no extra
 * turn for every request that passes.
 */
export function answerEarly(app: FastifyInstance, answer: (request: FastifyRequest, reply: FastifyReply) => boolean): void {
  app.addHook('onRequest', (request, reply, done) => {
    let answered: boolean;
    try {
      answered = answer(request, reply);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (!answered) done();
    // An answer here with a problem is a refusal; the recorder may sum up a flood of identical ones.
    else if (request.exchange.problem !== undefined) request.exchange.refusedOnArrival = true;
  });
}
