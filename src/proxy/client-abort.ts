// When the client goes away, its upstream request is cancelled. reply-from gives undici no
// AbortSignal and no way back to the exchange, so the exchange's request rides along on a
// Symbol-keyed property of the outgoing headers object (reply-from copies own symbols;
// undici ignores them) down to the dispatcher, where the requester below hands undici the
// client's signal and other dispatcher wrappers can find the exchange (requestOfDispatch).
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';

const EXCHANGE_REQUEST = Symbol('ons-proxy.exchange-request');
const controllers = new WeakMap<FastifyRequest, AbortController>();

export class ClientAbortedError extends Error {
  readonly code = 'CLIENT_ABORTED';
  constructor() {
    super('the client closed the connection before the response was complete');
    this.name = 'ClientAbortedError';
  }
}

/**
 * Calls `ended` once when the exchange is over. The response's 'close' says so, except for
 * a pipelined request still queued behind another when the connection dies: Node never
 * closes its response, only destroys its request, so that counts too.
 */
export function whenExchangeEnds(request: FastifyRequest, reply: FastifyReply, ended: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    ended();
  };
  reply.raw.once('close', once);
  // A request's own 'close' also fires as soon as its body is read; only a dead connection counts here.
  request.raw.once('close', () => {
    if (request.raw.socket?.destroyed) once();
  });
}

type RequestCarrier = IncomingHttpHeaders & { [EXCHANGE_REQUEST]?: FastifyRequest };

/** Route preHandler: arms the signal that cancelUpstream fires. */
export function watchForClientAbort(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  controllers.set(request, new AbortController());
  done();
}

/**
 * Called once when an exchange ended before its response was complete (app.ts watches the
 * end of every exchange already; a second set of listeners per request would only repeat it).
 */
export function cancelUpstream(request: FastifyRequest): void {
  controllers.get(request)?.abort(new ClientAbortedError());
}

/** From rewriteRequestHeaders: lets the exchange ride along with the headers to the dispatcher. */
export function attachExchangeRequest(request: FastifyRequest, headers: IncomingHttpHeaders): void {
  (headers as RequestCarrier)[EXCHANGE_REQUEST] = request;
}

/** The exchange an undici dispatch belongs to, when the forwarder sent it. */
export function requestOfDispatch(options: { headers?: unknown }): FastifyRequest | undefined {
  const headers = options.headers;
  return typeof headers === 'object' && headers !== null ? (headers as RequestCarrier)[EXCHANGE_REQUEST] : undefined;
}

/** What reply-from uses instead of the dispatcher itself: the same requests, cancelled when the client leaves. */
export interface UpstreamRequester {
  request: Dispatcher['request'];
  /** reply-from destroys its dispatcher when the app closes; that stays as it was. */
  destroy(): Promise<void>;
}

export function cancellingRequester(dispatcher: Dispatcher): UpstreamRequester {
  return {
    request: ((options: Dispatcher.RequestOptions, callback: (error: Error | null, data: Dispatcher.ResponseData) => void) => {
      const request = requestOfDispatch(options);
      const signal = request && controllers.get(request)?.signal;
      dispatcher.request(signal ? { ...options, signal } : options, callback);
    }) as Dispatcher['request'],
    destroy: () => dispatcher.destroy(),
  };
}

export function isClientAbort(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 6; current = current.cause, depth++) {
    if (current instanceof ClientAbortedError) return true;
  }
  return false;
}
