import tls from 'node:tls';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ConfigError } from '../config/errors.js';
import type { ProxyFeature } from '../proxy/feature.js';
import { ConcurrencyLimiter, type LimiterSettings, type SlotOutcome } from './limiter.js';
import { sendProblem } from '../proxy/problem.js';
import { isForwarded } from './forwarded.js';
import { ExchangeCalls } from './upstream-calls.js';

/**
 * Ons counts parallel requests per certificate, not per proxy: profiles that present the
 * same certificate share one limiter, so together they stay under the limit.
 */
interface SharedLimiter {
  readonly limiter: ConcurrencyLimiter;
  readonly profiles: string[];
}

const LIMITERS_BY_CERTIFICATE = new Map<string, SharedLimiter>();

export interface ParallelLimitOptions {
  /** Identifies the certificate, e.g. its SHA-256 fingerprint. */
  readonly certificateKey: string;
  readonly profile: string;
  readonly settings: LimiterSettings;
}

/**
 * The certificate's SHA-256 fingerprint, read from the secure context the proxy presents, so
 * PEM and PKCS#12 identities are keyed alike. The limiter keeps this key for the instance's
 * life: a renewed certificate goes on sharing the same slots, which keeps old and new
 * connections together under the limit while a reload drains.
 */
export function certificateKeyOf(secureContext: tls.SecureContext): string {
  const socket = new tls.TLSSocket(null as never, { secureContext });
  try {
    const certificate = socket.getCertificate();
    const fingerprint = certificate && 'fingerprint256' in certificate ? certificate.fingerprint256 : undefined;
    if (!fingerprint) throw new Error('the secure context holds no client certificate');
    return fingerprint;
  } finally {
    socket.destroy();
  }
}

/** At most `maxConcurrency` requests in flight upstream per certificate; the rest queue in arrival order. */
export function parallelLimit(options: ParallelLimitOptions): ProxyFeature {
  let shared: SharedLimiter | undefined;
  return {
    name: 'limiter',
    phase: 'admit',
    register(app: FastifyInstance) {
      app.decorateRequest('exchangeCalls', null);
      shared = joinLimiter(options);
      const limiter = shared.limiter;
      // preHandler: after every onRequest guard, so a refused request never takes a slot.
      app.addHook('preHandler', (request, reply, done) => {
        if (!isForwarded(request)) {
          done();
          return;
        }
        const ticket = limiter.acquire();
        // The exchange's end (finished, upstream error or client gone: onExchangeComplete) gives
        // the slot back once the upstream call has ended too; a waiting client leaves the queue.
        request.exchangeCalls = new ExchangeCalls(ticket.leave);
        const waitingSince = performance.now();
        const proceed = (outcome: SlotOutcome): void => {
          request.exchange.queuedMs = Math.round((performance.now() - waitingSince) * 10) / 10;
          if (outcome === 'granted') {
            done();
            return;
          }
          // Answering from a hook means not calling done(): the handler (the forwarder) never runs.
          if (outcome === 'left') reply.hijack(); // the client is gone: nothing to answer, nothing goes upstream
          else refuse(reply, outcome, limiter);
        };
        if (ticket.decidedAtOnce !== undefined) proceed(ticket.decidedAtOnce);
        else void ticket.outcome.then(proceed);
      });
    },
    onUpstreamCall(request) {
      return request.exchangeCalls?.dispatched();
    },
    onExchangeComplete({ request }) {
      request.exchangeCalls?.clientGone();
    },
    status() {
      const limiter = shared?.limiter;
      if (!limiter) return {};
      return { ...limiter.settings, ...limiter.counts(), sharedWithProfiles: shared?.profiles.filter((p) => p !== options.profile) ?? [] };
    },
    async close() {
      if (shared) leaveLimiter(options, shared);
      shared = undefined;
    },
  };
}

function joinLimiter(options: ParallelLimitOptions): SharedLimiter {
  const existing = LIMITERS_BY_CERTIFICATE.get(options.certificateKey);
  if (!existing) {
    const created: SharedLimiter = { limiter: new ConcurrencyLimiter(options.settings), profiles: [options.profile] };
    LIMITERS_BY_CERTIFICATE.set(options.certificateKey, created);
    return created;
  }
  const theirs = existing.limiter.settings;
  const ours = options.settings;
  if (theirs.maxConcurrency !== ours.maxConcurrency || theirs.queueLimit !== ours.queueLimit || theirs.queueTimeoutMs !== ours.queueTimeoutMs) {
    throw new ConfigError(
      `Profiles "${existing.profiles.join('", "')}" and "${options.profile}" use the same certificate but different ONS_PROXY_MAX_CONCURRENCY, ONS_PROXY_QUEUE_LIMIT or ONS_PROXY_QUEUE_TIMEOUT_MS. ` +
        'The limit is per certificate and they share it: set these once, at the top level of the config file.',
    );
  }
  existing.profiles.push(options.profile);
  return existing;
}

function leaveLimiter(options: ParallelLimitOptions, shared: SharedLimiter): void {
  const index = shared.profiles.indexOf(options.profile);
  if (index !== -1) shared.profiles.splice(index, 1);
  if (shared.profiles.length === 0 && LIMITERS_BY_CERTIFICATE.get(options.certificateKey) === shared) {
    LIMITERS_BY_CERTIFICATE.delete(options.certificateKey);
  }
}

function refuse(reply: FastifyReply, outcome: Exclude<SlotOutcome, 'granted' | 'left'>, limiter: ConcurrencyLimiter): void {
  const { maxConcurrency, queueLimit, queueTimeoutMs } = limiter.settings;
  const slots = `at most ${maxConcurrency} requests go to the Ons API at once per certificate (ONS_PROXY_MAX_CONCURRENCY)`;
  reply.header('retry-after', '1');
  if (outcome === 'queue_full') {
    sendProblem(reply, {
      status: 503,
      code: 'proxy_queue_full',
      title: 'Too many requests waiting for the Ons API',
      detail: `${queueLimit} requests are already waiting (ONS_PROXY_QUEUE_LIMIT) and ${slots}. Send fewer requests at once, or raise ONS_PROXY_QUEUE_LIMIT.`,
    });
    return;
  }
  sendProblem(reply, {
    status: 503,
    code: 'proxy_queue_timeout',
    title: 'Waited too long for a free slot to the Ons API',
    detail: `This request waited ${queueTimeoutMs} ms (ONS_PROXY_QUEUE_TIMEOUT_MS) while earlier requests held every slot: ${slots}. Send fewer requests at once, or raise ONS_PROXY_QUEUE_TIMEOUT_MS.`,
  });
}
