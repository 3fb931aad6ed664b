// autocannon ships no types and @types/autocannon describes v7; this declares only the
// part of the programmatic API the benchmark uses, checked against autocannon 9's lib/run.js.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      pipelining?: number;
      /** Seconds before a request counts as timed out. */
      timeout?: number;
      headers?: Record<string, string>;
      /** Passed to tls.connect for https URLs (autocannon forces rejectUnauthorized: false). */
      tlsOptions?: { cert?: string | Buffer; key?: string | Buffer; ca?: string | Buffer };
    }
    interface Result {
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
      requests: { total: number; average: number };
    }
    /** The run's event emitter, also thenable for the result. */
    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop(): void;
    }
  }
  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
