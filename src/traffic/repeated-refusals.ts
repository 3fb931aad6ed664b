// A foreign web page that loops requests the guards refuse (a DNS-rebinding attempt, a page of
// an origin not listed) would write thousands of identical records a second: the traffic file
// grows by megabytes and the inspector's recent list loses every real exchange. Identical
// refusals are therefore summed up: the first of a kind is published at once, the ones that
// follow within its window become one record that says how many it stands for. Only refusals
// are summed up; every exchange that went upstream, or got any other answer, keeps its own record.
import type { CompletedExchange } from '../proxy/exchange.js';
import type { RepeatedRefusal, TrafficRecord } from './record.js';

export interface RepeatedRefusalsOptions {
  /** How long after the first refusal of a kind its repeats are summed up into one record. */
  readonly firstWindowMs: number;
  /** A flood that goes on doubles the window each time, up to this, so it writes a record a minute rather than a second. */
  readonly longestWindowMs: number;
  /** Kinds followed at once; a flood of ever new paths beyond this is recorded one by one rather than held in memory. */
  readonly maxKinds: number;
}

export const REPEATED_REFUSALS_DEFAULTS: RepeatedRefusalsOptions = { firstWindowMs: 1000, longestWindowMs: 60_000, maxKinds: 10_000 };

interface Window {
  lengthMs: number;
  timer: NodeJS.Timeout;
  /** The first repeat in this window: the record the sum is published as. */
  first: TrafficRecord | undefined;
  count: number;
  lastId: string;
  lastTime: string;
}

/**
 * What makes two refusals the same kind: the guard's code and the status the client got, the
 * method, and where the request came from and went (Origin, Host, path without the query,
 * so a cache-busting parameter does not make each request new). Undefined for anything that is
 * not a guard's refusal, and for a refusal the client did not wait for.
 */
export function refusalKind({ exchange, request, status, aborted }: CompletedExchange): string | undefined {
  if (!exchange.refusedOnArrival || exchange.problem === undefined || aborted) return undefined;
  const queryAt = request.url.indexOf('?');
  const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  return JSON.stringify([exchange.problem.code, status, request.method, request.headers.origin ?? '', request.headers.host ?? '', path]);
}

/** "2,000 identical refusals until 12:00:03.120 UTC, the last one 3c74f141-..." */
export function describeRepeated(repeated: RepeatedRefusal): string {
  return `${repeated.count.toLocaleString('en-US')} identical refusals until ${repeated.until.slice(11, 23)} UTC, the last one ${repeated.lastId}`;
}

export class RepeatedRefusals {
  readonly #windows = new Map<string, Window>();
  #summedUp = 0;

  constructor(
    private readonly publish: (record: TrafficRecord) => void,
    private readonly options: RepeatedRefusalsOptions = REPEATED_REFUSALS_DEFAULTS,
  ) {}

  /** Publishes the refusal at once when it is the first of its kind in a while; otherwise counts it into its kind's window. */
  add(kind: string, record: TrafficRecord): void {
    const window = this.#windows.get(kind);
    if (window === undefined) {
      if (this.#windows.size < this.options.maxKinds) this.#open(kind, this.options.firstWindowMs);
      this.publish(record);
      return;
    }
    window.first ??= record;
    window.count++;
    window.lastId = record.id;
    window.lastTime = record.time;
  }

  /** Refusals that have no record of their own: another record of their kind counts them. */
  get summedUp(): number {
    return this.#summedUp;
  }

  /** Publishes every sum still open (the proxy stops): no refusal is left uncounted. */
  flush(): void {
    for (const window of this.#windows.values()) {
      clearTimeout(window.timer);
      this.#publishSum(window);
    }
    this.#windows.clear();
  }

  #open(kind: string, lengthMs: number): void {
    const window: Window = { lengthMs, timer: setTimeout(() => this.#close(kind, window), lengthMs).unref(), first: undefined, count: 0, lastId: '', lastTime: '' };
    this.#windows.set(kind, window);
  }

  #close(kind: string, window: Window): void {
    this.#windows.delete(kind);
    if (window.count === 0) return;
    this.#publishSum(window);
    // Still flooding: the next window is longer, and its first repeat is summed up too.
    this.#open(kind, Math.min(window.lengthMs * 2, this.options.longestWindowMs));
  }

  #publishSum(window: Window): void {
    const { first, count, lastId, lastTime } = window;
    if (first === undefined) return;
    if (count > 1) this.#summedUp += count - 1;
    this.publish(count === 1 ? first : { ...first, repeated: { count, until: lastTime, lastId } });
  }
}
