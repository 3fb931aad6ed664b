/**
 * At most `maxConcurrency` holders at once; the rest wait in FIFO order.
 *
 * The queue is a doubly linked list: taking the head and removing a waiter whose client
 * went away are both O(1), however long the queue gets (an array's shift/splice is O(n)).
 */

export interface LimiterSettings {
  readonly maxConcurrency: number;
  /** How many may wait; 0 means nobody waits. */
  readonly queueLimit: number;
  readonly queueTimeoutMs: number;
}

/** How a slot request ended: a slot, or why not. */
export type SlotOutcome = 'granted' | 'queue_full' | 'queue_timeout' | 'left';

export interface SlotTicket {
  /** Settles once: 'granted' immediately or when this ticket reaches the head of the queue. */
  readonly outcome: Promise<SlotOutcome>;
  /** The outcome when it was decided at once (a free slot, a full queue): no need to wait for the promise. */
  readonly decidedAtOnce: SlotOutcome | undefined;
  /**
   * Gives the slot back, or leaves the queue, whichever applies; safe to call any number
   * of times and at any moment (the caller ties it to the exchange's end).
   */
  leave(): void;
}

export interface LimiterCounts {
  readonly inFlight: number;
  readonly queued: number;
}

type TicketState = 'queued' | 'holding' | 'done';

class Waiter {
  state: TicketState = 'queued';
  previous: Waiter | undefined;
  next: Waiter | undefined;
  timer: NodeJS.Timeout | undefined;

  constructor(readonly settle: (outcome: SlotOutcome) => void) {}
}

export class ConcurrencyLimiter {
  readonly settings: LimiterSettings;
  #inFlight = 0;
  #queued = 0;
  #head: Waiter | undefined;
  #tail: Waiter | undefined;

  constructor(settings: LimiterSettings) {
    this.settings = settings;
  }

  counts(): LimiterCounts {
    return { inFlight: this.#inFlight, queued: this.#queued };
  }

  acquire(): SlotTicket {
    let settle!: (outcome: SlotOutcome) => void;
    const outcome = new Promise<SlotOutcome>((resolve) => {
      settle = resolve;
    });
    const waiter = new Waiter(settle);
    let decidedAtOnce: SlotOutcome | undefined;
    if (this.#inFlight < this.settings.maxConcurrency && this.#queued === 0) {
      this.#grant(waiter);
      decidedAtOnce = 'granted';
    } else if (this.#queued >= this.settings.queueLimit) {
      this.#finish(waiter, 'queue_full');
      decidedAtOnce = 'queue_full';
    } else {
      this.#enqueue(waiter);
    }
    return { outcome, decidedAtOnce, leave: () => this.#leave(waiter) };
  }

  #grant(waiter: Waiter): void {
    waiter.state = 'holding';
    this.#inFlight++;
    waiter.settle('granted');
  }

  #finish(waiter: Waiter, outcome: Exclude<SlotOutcome, 'granted'>): void {
    waiter.state = 'done';
    waiter.settle(outcome);
  }

  #enqueue(waiter: Waiter): void {
    waiter.previous = this.#tail;
    if (this.#tail) this.#tail.next = waiter;
    else this.#head = waiter;
    this.#tail = waiter;
    this.#queued++;
    waiter.timer = setTimeout(() => {
      this.#unlink(waiter);
      this.#finish(waiter, 'queue_timeout');
    }, this.settings.queueTimeoutMs);
    // A waiting request must not keep a stopping process alive on its own.
    waiter.timer.unref();
  }

  #unlink(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    waiter.timer = undefined;
    if (waiter.previous) waiter.previous.next = waiter.next;
    else this.#head = waiter.next;
    if (waiter.next) waiter.next.previous = waiter.previous;
    else this.#tail = waiter.previous;
    waiter.previous = undefined;
    waiter.next = undefined;
    this.#queued--;
  }

  #leave(waiter: Waiter): void {
    if (waiter.state === 'queued') {
      this.#unlink(waiter);
      this.#finish(waiter, 'left');
      return;
    }
    if (waiter.state !== 'holding') return;
    waiter.state = 'done';
    this.#inFlight--;
    const next = this.#head;
    if (next && this.#inFlight < this.settings.maxConcurrency) {
      this.#unlink(next);
      this.#grant(next);
    }
  }
}
