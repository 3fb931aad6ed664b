// When the client goes away, its upstream request is cancelled. reply-from gives undici no
// AbortSignal, so the signal travels from a preHandler (which sees the reply) on a
// Symbol-keyed property of the outgoing headers object (reply-from copies own symbols;
// undici ignores them) to the requester below, which hands it to undici as `signal`.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';

const CLIENT_SIGNAL = Symbol('ons-proxy.client-signal');
const signals = new WeakMap<FastifyRequest, AbortSignal>();

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

type SignalCarrier = IncomingHttpHeaders & { [CLIENT_SIGNAL]?: AbortSignal };

/** Route preHandler: arms a signal that fires when the response closes unfinished. */
export function watchForClientAbort(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const controller = new AbortController();
  whenExchangeEnds(request, reply, () => {
    if (!reply.raw.writableFinished) controller.abort(new ClientAbortedError());
  });
  signals.set(request, controller.signal);
  done();
}

/** From rewriteRequestHeaders: lets the signal ride along with the headers to the requester. */
export function attachClientSignal(request: FastifyRequest, headers: IncomingHttpHeaders): void {
  const signal = signals.get(request);
  if (signal) (headers as SignalCarrier)[CLIENT_SIGNAL] = signal;
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
      const signal = (options.headers as SignalCarrier | undefined)?.[CLIENT_SIGNAL];
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
