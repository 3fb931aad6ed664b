import type tls from 'node:tls';
import type { Agent, Dispatcher, buildConnector } from 'undici';
// Only the parts the proxy uses: the package index would also load fetch, WebSocket and
// cookies at start-up (see undici-parts.d.ts).
import AgentClass from 'undici/lib/dispatcher/agent.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import connectorFactory from 'undici/lib/core/connect.js';
import { completeTrust } from './secure-context.js';

export interface UpstreamAgentOptions {
  readonly connectTimeoutMs: number;
  /** How long an idle pooled connection is kept (the upstream's Keep-Alive hint caps it). */
  readonly keepAliveTimeoutMs?: number;
}

/** An undici Agent that presents the client certificate and always verifies the upstream. */
export function createUpstreamAgent(secureContext: tls.SecureContext, options: UpstreamAgentOptions): Agent {
  return new AgentClass({
    connect: keepTlsAlerts(
      trustCompletedFirst(
        secureContext,
        connectorFactory({
          secureContext,
          // Never trust an unverified upstream, whatever a caller passes per request.
          rejectUnauthorized: true,
          timeout: options.connectTimeoutMs,
        }),
      ),
    ),
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
    // Long pauses between batches are normal for integrations; reconnecting costs a full mTLS handshake.
    keepAliveMaxTimeout: 60_000,
  });
}

/** A context made with rootsOnFirstConnection gets its default store before its first handshake. */
function trustCompletedFirst(secureContext: tls.SecureContext, connect: buildConnector.connector): buildConnector.connector {
  return (connectOptions, callback) => {
    completeTrust(secureContext);
    return connect(connectOptions, callback);
  };
}

/**
 * Under TLS 1.3 a server that refuses the client certificate sends its alert after our side
 * of the handshake is done. The socket reports the alert, then undici replaces it with
 * "other side closed"; this keeps the alert as that error's cause, so the proxy can say
 * "client certificate refused" instead of "connection reset".
 */
function keepTlsAlerts(connect: buildConnector.connector): buildConnector.connector {
  return (connectOptions, callback) =>
    connect(connectOptions, (error, socket) => {
      if (socket) {
        let alert: Error | undefined;
        socket.on('error', (socketError: Error & { code?: string }) => {
          if (socketError.code?.startsWith('ERR_SSL_')) alert = socketError;
          else if (alert && socketError.cause === undefined) socketError.cause = alert;
        });
        callback(null, socket);
      } else {
        callback(error ?? new Error('connect failed'), null);
      }
    });
}

/**
 * reply-from takes its dispatcher once, at registration. This dispatcher delegates to
 * a replaceable Agent so a renewed certificate takes effect without a restart: new
 * requests use the new Agent, requests already running finish on the old one.
 */
export class SwappableDispatcher extends DispatcherClass {
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
