// When the client goes away, its upstream call is cancelled (cancelUpstream, from the end
// watch in app.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';

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

/**
 * Called once when an exchange ended before its response was complete (app.ts watches the
 * end of every exchange already; a second set of listeners per request would only repeat it).
 */
export function cancelUpstream(request: FastifyRequest): void {
  request.exchange.clientGone = true;
  request.exchange.upstreamCall?.cancel(new ClientAbortedError());
}

export function isClientAbort(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 6; current = current.cause, depth++) {
    if (current instanceof ClientAbortedError) return true;
  }
  return false;
}
