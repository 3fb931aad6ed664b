// reply-from makes each upstream call with `dispatcher.request(options, callback)` and tells
// nobody: it passes no AbortSignal, reports no attempt (a retry included), and keeps only the
// status code of the answer. The dispatcher handed to it is this one: it delegates to the
// proxy's own (swappable) dispatcher and, for each request, finds the exchange it belongs to,
// so the client's abort cancels the call, features see every attempt and its end, and the
// upstream's reason phrase is kept.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import { ClientAbortedError } from './client-abort.js';
import type { ProxyFeature } from './feature.js';

// reply-from copies the outgoing headers with Object.assign, which keeps own symbols; undici
// reads header names with Object.keys, which skips them.
const EXCHANGE_REQUEST = Symbol('ons-proxy.exchange-request');
type RequestCarrier = IncomingHttpHeaders & { [EXCHANGE_REQUEST]?: FastifyRequest };

/** From rewriteRequestHeaders: lets the exchange ride along with the headers to the dispatcher. */
export function attachExchangeRequest(request: FastifyRequest, headers: IncomingHttpHeaders): void {
  (headers as RequestCarrier)[EXCHANGE_REQUEST] = request;
}

function exchangeRequestOf(options: { readonly headers?: unknown }): FastifyRequest | undefined {
  const headers = options.headers;
  return typeof headers === 'object' && headers !== null && !Array.isArray(headers) ? (headers as RequestCarrier)[EXCHANGE_REQUEST] : undefined;
}

/**
 * The abort signal of one upstream call. undici's request API takes an EventEmitter-like
 * signal as well as an AbortSignal, and listens with once('abort'); an AbortController per
 * exchange, with its EventTarget machinery, cost about 3 % of the proxy's CPU per request.
 */
class CallSignal {
  aborted = false;
  reason: Error | undefined;
  #listener: (() => void) | undefined;

  once(_event: 'abort', listener: () => void): this {
    this.#listener = listener;
    return this;
  }

  // undici accepts a signal only if it has on(), then listens with once().
  on(event: 'abort', listener: () => void): this {
    return this.once(event, listener);
  }

  removeListener(): this {
    this.#listener = undefined;
    return this;
  }

  cancel(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }
}

type RequestCallback<T> = (error: Error | null, data: Dispatcher.ResponseData<T>) => void;

export class ExchangeDispatcher extends DispatcherClass {
  readonly #target: Dispatcher;
  readonly #callWatchers: readonly ProxyFeature[];

  constructor(target: Dispatcher, features: readonly ProxyFeature[]) {
    super();
    this.#target = target;
    this.#callWatchers = features.filter((f) => f.onUpstreamCall);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.#target.dispatch(options, handler);
  }

  override request<T = null>(options: Dispatcher.RequestOptions<T>): Promise<Dispatcher.ResponseData<T>>;
  override request<T = null>(options: Dispatcher.RequestOptions<T>, callback: RequestCallback<T>): void;
  override request<T = null>(options: Dispatcher.RequestOptions<T>, callback?: RequestCallback<T>): Promise<Dispatcher.ResponseData<T>> | void {
    const request = exchangeRequestOf(options);
    if (!callback) return super.request<T>(options);
    if (!request) return super.request<T>(options, callback);
    const exchange = request.exchange;
    // The client left while the request waited (for a slot, for its body, for a retry): nothing to send.
    if (exchange.clientGone) {
      callback(new ClientAbortedError(), undefined as never);
      return;
    }
    const signal = new CallSignal();
    exchange.upstreamCall = signal;
    const ended = this.#attemptStarted(request);
    super.request<T>({ ...options, signal }, (error, data) => {
      if (error) {
        ended();
        callback(error, data);
        return;
      }
      exchange.upstreamStatusText = data.statusText;
      // Read to its end, broken off, or dropped by whoever had it: the call is over either way.
      data.body.once('end', ended).once('close', ended);
      callback(null, data);
    });
  }

  /** Each attempt as it is dispatched; the returned function reports its end to the features, once. */
  #attemptStarted(request: FastifyRequest): () => void {
    const ends: Array<() => void> = [];
    for (const feature of this.#callWatchers) {
      const ended = feature.onUpstreamCall?.(request);
      if (ended) ends.push(ended);
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const ended of ends) ended();
    };
  }
}
