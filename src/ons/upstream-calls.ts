/**
 * Which upstream calls belong to which exchange, so the parallel limit can count what Ons
 * counts. reply-from keeps an upstream call running when the client goes away before the
 * response headers: Ons would still see it in flight while the proxy already handed its
 * slot to the next request, and that next request could earn a 429. Here a client that
 * leaves cancels its upstream call, and the slot is free only once both have ended.
 *
 * The link from an undici dispatch back to its exchange is an AsyncLocalStorage scope the
 * limiter opens around the rest of the request's handling (the forwarder dispatches in it).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Dispatcher } from 'undici';

type Abort = (reason: Error) => void;

/** The upstream side of one exchange. */
export class ExchangeCalls {
  #pending = 0;
  #clientGone = false;
  #released = false;
  readonly #aborts = new Set<Abort>();
  readonly #release: () => void;

  /** `release` runs once, when the client is gone and no upstream call is running. */
  constructor(release: () => void) {
    this.#release = release;
  }

  /** The exchange's response is over (finished, failed or the client left). */
  clientGone(): void {
    this.#clientGone = true;
    const reason = new Error('the client closed the connection');
    for (const abort of this.#aborts) abort(reason);
    this.#releaseWhenIdle();
  }

  dispatched(): Call {
    this.#pending++;
    let abort: Abort | undefined;
    let ended = false;
    return {
      started: (abortCall) => {
        if (ended) return;
        abort = abortCall;
        if (this.#clientGone) abortCall(new Error('the client closed the connection'));
        else this.#aborts.add(abortCall);
      },
      ended: () => {
        if (ended) return;
        ended = true;
        if (abort) this.#aborts.delete(abort);
        this.#pending--;
        this.#releaseWhenIdle();
      },
    };
  }

  #releaseWhenIdle(): void {
    if (this.#released || !this.#clientGone || this.#pending > 0) return;
    this.#released = true;
    this.#release();
  }
}

interface Call {
  started(abort: Abort): void;
  ended(): void;
}

const currentExchange = new AsyncLocalStorage<ExchangeCalls>();

/** Runs `next` (the rest of the request's handling) so that its upstream calls count for `calls`. */
export function runForExchange(calls: ExchangeCalls, next: () => void): void {
  currentExchange.run(calls, next);
}

/** A dispatcher that reports every call made inside runForExchange to that exchange. */
export function trackUpstreamCalls(dispatcher: Dispatcher): Dispatcher {
  return dispatcher.compose((dispatch) => (options, handler) => {
    const calls = currentExchange.getStore();
    if (!calls) return dispatch(options, handler);
    const call = calls.dispatched();
    try {
      return dispatch(options, observeHandler(handler, call));
    } catch (error) {
      call.ended();
      throw error;
    }
  });
}

const START_HOOKS = new Set<PropertyKey>(['onConnect', 'onRequestStart']);
const END_HOOKS = new Set<PropertyKey>(['onComplete', 'onError', 'onResponseEnd', 'onResponseError']);

/**
 * Sees the start and end of one call without changing the handler's shape: undici treats
 * old-style (onConnect/onComplete) and new-style (onRequestStart/onResponseEnd) handlers
 * differently, so the handler is proxied rather than re-implemented.
 */
function observeHandler(handler: Dispatcher.DispatchHandler, call: Call): Dispatcher.DispatchHandler {
  return new Proxy(handler, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (START_HOOKS.has(key)) {
        return (first: unknown, ...rest: unknown[]) => {
          call.started(abortOf(first));
          return method.call(target, first, ...rest);
        };
      }
      if (END_HOOKS.has(key)) {
        return (...args: unknown[]) => {
          call.ended();
          return method.apply(target, args);
        };
      }
      return method.bind(target);
    },
  });
}

/** onConnect hands an abort function, onRequestStart a controller with abort(). */
function abortOf(first: unknown): Abort {
  if (typeof first === 'function') return first as Abort;
  const controller = first as { abort(reason: Error): void };
  return (reason) => controller.abort(reason);
}
