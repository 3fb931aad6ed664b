/**
 * Which upstream calls belong to which exchange, so the parallel limit counts what Ons
 * counts. A client that leaves early cancels its upstream call (src/proxy/client-abort.ts),
 * but the call ends a moment later; Ons still sees it in flight until then, so handing its
 * slot to the next request at once could earn that request a 429. The slot is free only
 * once the client is gone and every upstream call of the exchange has ended.
 *
 * The forwarder reports each call of an exchange (onUpstreamCall), so no AsyncLocalStorage,
 * which would tax every async operation in the process, is needed to tell them apart.
 */

/** The upstream side of one exchange. */
export class ExchangeCalls {
  #pending = 0;
  #clientGone = false;
  #released = false;
  readonly #release: () => void;

  /** `release` runs once, when the client is gone and no upstream call is running. */
  constructor(release: () => void) {
    this.#release = release;
  }

  /** The exchange's response is over (finished, failed or the client left). */
  clientGone(): void {
    this.#clientGone = true;
    this.#releaseWhenIdle();
  }

  /** Returns the function to call once, when that upstream call has ended. */
  dispatched(): () => void {
    this.#pending++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#pending--;
      this.#releaseWhenIdle();
    };
  }

  #releaseWhenIdle(): void {
    if (this.#released || !this.#clientGone || this.#pending > 0) return;
    this.#released = true;
    this.#release();
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The upstream side of this exchange, for the parallel limit (declared with decorateRequest).
     * A request property rather than a WeakMap: every young-generation GC walks a WeakMap's new entries.
     */
    exchangeCalls: ExchangeCalls | null;
  }
}
