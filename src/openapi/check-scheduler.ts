// Prepares an operation's validators between exchanges, in slices of a few milliseconds, and
// holds the checks of its exchanges until they are ready. Compiling a model graph at once
// blocked the event loop for tens of milliseconds per new operation (the first one: the whole
// document's models too), delaying every other exchange in flight.
import { performance } from 'node:perf_hooks';
import type { PreparationStep } from './validators.js';

/** What the scheduler prepares: the document's checks, per key (an operation). */
export interface Preparable<Key> {
  ready(key: Key): boolean;
  preparationSteps(key: Key): PreparationStep[];
  /** The steps that are worth doing before any exchange asks (registering the models). */
  warmUpSteps(): PreparationStep[];
}

/** 'ready': check now, it compiles nothing. 'busy': too many checks wait already; skip this one and say so. */
export type Readiness = 'ready' | 'busy';

export interface SchedulerOptions {
  /** How long one slice of preparation may run before yielding to the exchanges (ms). */
  readonly sliceMs?: number;
  /** How many checks may wait for their operation's validators; beyond that a check is skipped. */
  readonly maxWaiting?: number;
}

export const DEFAULT_SLICE_MS = 3;
export const DEFAULT_MAX_WAITING = 256;

export class CheckScheduler<Key> {
  readonly #work: Preparable<Key>;
  readonly #sliceMs: number;
  readonly maxWaiting: number;
  readonly #steps: PreparationStep[] = [];
  #next = 0;
  readonly #waiting = new Map<Key, Array<(readiness: Readiness) => void>>();
  #waitingCount = 0;
  #scheduled = false;
  #closed = false;
  #longestStep = { wallMs: 0, cpuMs: 0 };

  constructor(work: Preparable<Key>, options: SchedulerOptions = {}) {
    this.#work = work;
    this.#sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    this.maxWaiting = options.maxWaiting ?? DEFAULT_MAX_WAITING;
  }

  /** Checks waiting for their operation's validators. */
  get waiting(): number {
    return this.#waitingCount;
  }

  /**
   * The longest single step so far, as elapsed time and as CPU time: on a shared machine the
   * elapsed time also counts the moments the process was descheduled, the CPU time does not.
   */
  get longestStep(): { readonly wallMs: number; readonly cpuMs: number } {
    return this.#longestStep;
  }

  /** Starts the preparation that needs no exchange (the proxy calls it once it listens). */
  warmUp(): void {
    this.#enqueue(this.#work.warmUpSteps());
  }

  /** 'ready' at once when `key` is ready; otherwise a promise, settled once its steps ran (or 'busy' at once when the queue is full). */
  whenReady(key: Key): Readiness | Promise<Readiness> {
    if (this.#closed || this.#work.ready(key)) return 'ready';
    if (this.#waitingCount >= this.maxWaiting) return 'busy';
    let waiters = this.#waiting.get(key);
    const promise = new Promise<Readiness>((resolve) => {
      if (!waiters) {
        waiters = [];
        this.#waiting.set(key, waiters);
        this.#enqueue([...this.#work.preparationSteps(key), () => this.#release(key)]);
      }
      waiters.push(resolve);
    });
    this.#waitingCount++;
    return promise;
  }

  /** Does what is left at once (a shutdown may block) and lets every waiting check run. */
  close(): void {
    this.#closed = true;
    while (this.#next < this.#steps.length) this.#runStep();
  }

  #release(key: Key): void {
    const waiters = this.#waiting.get(key) ?? [];
    this.#waiting.delete(key);
    this.#waitingCount -= waiters.length;
    for (const resolve of waiters) resolve('ready');
  }

  #enqueue(steps: readonly PreparationStep[]): void {
    this.#steps.push(...steps);
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => this.#slice());
  }

  #slice(): void {
    this.#scheduled = false;
    const started = performance.now();
    // At least one step per slice, however small the budget: preparation always moves on.
    do this.#runStep();
    while (this.#next < this.#steps.length && performance.now() - started < this.#sliceMs);
    if (this.#next < this.#steps.length) {
      this.#scheduled = true;
      setImmediate(() => this.#slice());
    } else {
      this.#steps.length = 0;
      this.#next = 0;
    }
  }

  #runStep(): void {
    const step = this.#steps[this.#next++];
    // A throw here would end the process (it runs from setImmediate). A step only prepares:
    // the check that follows meets the same fault and puts it on the record as notChecked.
    const started = performance.now();
    const cpu = process.cpuUsage();
    try {
      step?.();
    } catch {
      return;
    } finally {
      const used = process.cpuUsage(cpu);
      const wallMs = performance.now() - started;
      const cpuMs = (used.user + used.system) / 1000;
      if (wallMs > this.#longestStep.wallMs || cpuMs > this.#longestStep.cpuMs) {
        this.#longestStep = { wallMs: Math.max(wallMs, this.#longestStep.wallMs), cpuMs: Math.max(cpuMs, this.#longestStep.cpuMs) };
      }
    }
  }
}
