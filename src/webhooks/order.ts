// Disorder and load for idempotent receivers: a seeded shuffle (the same seed gives the same
// order on every machine), each delivery twice, and a steady rate.
import { mulberry32 } from '../mock/random.js';

export interface OrderOptions {
  readonly shuffle: boolean;
  readonly seed: number;
  readonly duplicate: boolean;
}

/** The items in the order they are sent: each twice in a row with duplicate, then shuffled with the seed. */
export function deliveryOrder<T>(items: readonly T[], options: OrderOptions): T[] {
  const list = options.duplicate ? items.flatMap((item) => [item, item]) : [...items];
  if (!options.shuffle) return list;
  const random = mulberry32(options.seed);
  for (let index = list.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [list[index], list[other]] = [list[other] as T, list[index] as T];
  }
  return list;
}

/** "100/s", "100" or "2.5/s" as deliveries per second. */
export function parseRate(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*s)?\s*$/.exec(text);
  const rate = match ? Number(match[1]) : NaN;
  return Number.isFinite(rate) && rate > 0 ? rate : undefined;
}

/**
 * Runs `send` for each item: one after another without a rate; with one, each starts on its
 * slot (N per second) whether or not the ones before have been answered, as Ons does in bulk.
 */
export async function sendAll<T, R>(items: readonly T[], rate: number | undefined, send: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (rate === undefined) {
    const results: R[] = [];
    for (const [index, item] of items.entries()) results.push(await send(item, index));
    return results;
  }
  const interval = 1000 / rate;
  const start = performance.now();
  const running: Promise<R>[] = [];
  for (const [index, item] of items.entries()) {
    const wait = start + index * interval - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    running.push(send(item, index));
  }
  return Promise.all(running);
}
