// A feature that captures every completed exchange, as the traffic record would see it, and
// the fixture most behaviour suites start from: the demo mock as the mTLS upstream and a
// proxy in front of it, wired like `start`, with its exchanges captured.
import { afterAll, beforeAll } from 'vitest';
import type { ProxyConfig } from '../../src/config/load.js';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import type { CompletedExchange } from '../../src/proxy/exchange.js';
import type { ProxyFeature } from '../../src/proxy/feature.js';
import { configFor, startUpstream, type Upstream } from './harness.js';

export interface Capture {
  readonly feature: ProxyFeature;
  readonly completed: CompletedExchange[];
  /** Resolves once `count` exchanges have been reported in total. */
  waitFor(count: number): Promise<CompletedExchange[]>;
  /** Resolves with the exchange of that x-request-id once it has been reported. */
  exchange(id: string): Promise<CompletedExchange>;
}

export function captureExchanges(): Capture {
  const completed: CompletedExchange[] = [];
  const waiters: Array<{ count: number; resolve: (all: CompletedExchange[]) => void }> = [];
  return {
    completed,
    feature: {
      name: 'test-capture',
      phase: 'observe',
      onExchangeComplete(exchange) {
        completed.push(exchange);
        for (const waiter of waiters.filter((w) => w.count <= completed.length)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(completed);
        }
      },
    },
    waitFor(count) {
      if (completed.length >= count) return Promise.resolve(completed);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async exchange(id) {
      for (let count = 1; ; count++) {
        const found = (await this.waitFor(count)).find((c) => c.exchange.id === id);
        if (found) return found;
      }
    },
  };
}

/** A proxy in front of `upstream`, wired like `start`, with `capture` seeing every exchange. */
export function startCapturedProxy(upstream: Upstream, capture: Capture, overrides: Partial<ProxyConfig> = {}): Promise<RunningInstance> {
  return startInstance(configFor(upstream, overrides), { logger: createConsoleLogger('silent'), extraFeatures: [capture.feature] });
}

export interface CapturedProxy {
  readonly upstream: Upstream;
  readonly proxy: RunningInstance;
  readonly capture: Capture;
}

/**
 * For the suite it is called in: starts the upstream and the captured proxy (with
 * `overrides`) before its tests and stops both after them. Read the fields inside tests.
 */
export function useCapturedProxy(overrides: Partial<ProxyConfig> = {}): CapturedProxy {
  let started: CapturedProxy | undefined;
  beforeAll(async () => {
    const upstream = await startUpstream();
    const capture = captureExchanges();
    started = { upstream, capture, proxy: await startCapturedProxy(upstream, capture, overrides) };
  });
  afterAll(async () => {
    await started?.proxy.close();
    await started?.upstream.close();
  });
  const current = (): CapturedProxy => {
    if (!started) throw new Error('useCapturedProxy: read its fields inside a test or hook, after it started');
    return started;
  };
  return {
    get upstream() {
      return current().upstream;
    },
    get proxy() {
      return current().proxy;
    },
    get capture() {
      return current().capture;
    },
  };
}
