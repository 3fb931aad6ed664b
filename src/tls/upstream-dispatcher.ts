import type tls from 'node:tls';
import { Agent, Dispatcher } from 'undici';

export interface UpstreamAgentOptions {
  readonly connectTimeoutMs: number;
  /** How long an idle pooled connection is kept (the upstream's Keep-Alive hint caps it). */
  readonly keepAliveTimeoutMs?: number;
}

/** An undici Agent that presents the client certificate and always verifies the upstream. */
export function createUpstreamAgent(secureContext: tls.SecureContext, options: UpstreamAgentOptions): Agent {
  return new Agent({
    connect: {
      secureContext,
      // reply-from would otherwise hand undici rejectUnauthorized: false: never trust an unverified upstream.
      rejectUnauthorized: true,
      timeout: options.connectTimeoutMs,
    },
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
    // Long pauses between batches are normal for integrations; reconnecting costs a full mTLS handshake.
    keepAliveMaxTimeout: 60_000,
  });
}

/**
 * reply-from takes its dispatcher once, at registration. This dispatcher delegates to
 * a replaceable Agent so a renewed certificate takes effect without a restart: new
 * requests use the new Agent, requests already running finish on the old one.
 */
export class SwappableDispatcher extends Dispatcher {
  #current: Agent;

  constructor(initial: Agent) {
    super();
    this.#current = initial;
  }

  get current(): Agent {
    return this.#current;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.#current.dispatch(options, handler);
  }

  /** Switches to `next` and closes the previous Agent once its in-flight requests finish. */
  async swap(next: Agent): Promise<void> {
    const previous = this.#current;
    this.#current = next;
    await previous.close();
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closing = this.#current.close();
    if (callback) {
      closing.then(callback, callback);
      return;
    }
    return closing;
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const error = typeof errOrCallback === 'function' ? null : (errOrCallback ?? null);
    const done = typeof errOrCallback === 'function' ? errOrCallback : callback;
    const destroying = this.#current.destroy(error);
    if (done) {
      destroying.then(done, done);
      return;
    }
    return destroying;
  }
}
