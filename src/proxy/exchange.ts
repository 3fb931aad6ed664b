import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TrafficRecord } from '../traffic/record.js';
import type { Problem } from './problem.js';

/** What the proxy learns about one exchange while it runs; the traffic record is built from it. */
export interface ExchangeContext {
  readonly id: string;
  /** Wall-clock start, for the record's `time`. */
  readonly startedAt: number;
  /** Monotonic start, for durations. */
  readonly startedAtMs: number;
  upstreamUrl: string | undefined;
  /** Set when the proxy answered itself (guard, upstream failure). */
  problem: Problem | undefined;
  /** A guard refused the request as it arrived (`problem` says why): nothing else saw it, nothing went upstream. */
  refusedOnArrival: boolean;
  /** The underlying failure, e.g. { code: 'ECONNREFUSED', message }. */
  error: { code: string; message: string } | undefined;
  /** Time spent waiting for a free upstream slot. */
  queuedMs: number;
  /** A one-line explanation of an Ons status (403, 406, 429, 495) for the developer. */
  hint: string | undefined;
  /** The call to the upstream, once the forwarder made it. */
  upstreamCall: { cancel(reason: Error): void } | undefined;
  /** The upstream's reason phrase (reply-from passes on only the status code). */
  upstreamStatusText: string | undefined;
  /** The client went away before its response was complete. */
  clientGone: boolean;
  /** Which answer source answered (the upstream, a fixture, the mock); unset while none has. */
  answeredBy: TrafficRecord['answeredBy'];
}

declare module 'fastify' {
  interface FastifyRequest {
    exchange: ExchangeContext;
  }
}

export function newExchange(id: string): ExchangeContext {
  return {
    id,
    startedAt: Date.now(),
    startedAtMs: performance.now(),
    upstreamUrl: undefined,
    problem: undefined,
    refusedOnArrival: false,
    error: undefined,
    queuedMs: 0,
    hint: undefined,
    upstreamCall: undefined,
    upstreamStatusText: undefined,
    clientGone: false,
    answeredBy: undefined,
  };
}

/** Everything known when an exchange has ended: handed to each observer exactly once. */
export interface CompletedExchange {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly exchange: ExchangeContext;
  readonly durationMs: number;
  readonly status: number;
  /** The client went away before the response was complete. */
  readonly aborted: boolean;
}
