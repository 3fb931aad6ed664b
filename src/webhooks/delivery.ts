// Sending one delivery the way Ons does: a POST of the exact body bytes with its signature,
// given up after 3 s; only a 200 counts as delivered.
import type { IncomingHttpHeaders } from 'node:http';
import { request, type Dispatcher } from 'undici';
import { UserError } from '../config/errors.js';

/** Ons waits this long for an answer, then counts the event as failed (and never retries). */
export const ONS_TIMEOUT_MS = 3000;
/** How much of an answer's body is kept (a receiver's answer is a word or an error page). */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface Delivery {
  readonly body: Buffer;
  /** The headers to send, in lower case (content-type and the signature among them). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface DeliveryOutcome {
  /** The receiver's status; 0 when there was none (timeout, unreachable). */
  readonly status: number;
  readonly ms: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly bodyBytes: number;
  readonly failure?: { readonly code: 'timeout' | 'unreachable' | 'error'; readonly message: string };
}

export async function deliver(url: string, delivery: Delivery, options: { timeoutMs?: number; dispatcher?: Dispatcher } = {}): Promise<DeliveryOutcome> {
  const timeoutMs = options.timeoutMs ?? ONS_TIMEOUT_MS;
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  const elapsed = (): number => Math.round((performance.now() - started) * 100) / 100;
  try {
    const answer = await request(url, { method: 'POST', headers: { ...delivery.headers }, body: delivery.body, signal, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) });
    const { body, bytes } = await readCapped(answer.body);
    return { status: answer.statusCode, ms: elapsed(), headers: answer.headers, body, bodyBytes: bytes };
  } catch (error) {
    const none = { status: 0, ms: elapsed(), headers: {}, body: Buffer.alloc(0), bodyBytes: 0 };
    if (signal.aborted) return { ...none, failure: { code: 'timeout', message: `no answer within ${timeoutMs / 1000} s` } };
    const cause = (error as { cause?: NodeJS.ErrnoException }).cause ?? (error as NodeJS.ErrnoException);
    const code = cause.code ?? '';
    if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'].includes(code)) {
      return { ...none, failure: { code: 'unreachable', message: `${url} is unreachable (${code})` } };
    }
    return { ...none, failure: { code: 'error', message: (error as Error).message } };
  }
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<{ body: Buffer; bytes: number }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (kept < MAX_ANSWER_BYTES) {
      const part = chunk.subarray(0, MAX_ANSWER_BYTES - kept);
      chunks.push(part);
      kept += part.length;
    }
  }
  return { body: Buffer.concat(chunks), bytes };
}

/** What Ons would make of an answer: a sentence for the terminal. */
export function onsVerdict(outcome: DeliveryOutcome): string {
  if (outcome.failure?.code === 'timeout') return 'Ons gives up after 3 s and counts the event as failed (it keeps failed events 24 h for PUT /webhooks/redeliver)';
  if (outcome.failure) return 'Ons counts the event as failed';
  if (outcome.status === 200) return outcome.ms > ONS_TIMEOUT_MS ? 'but too late: Ons gives up after 3 s' : 'what Ons expects (200)';
  if (outcome.status >= 200 && outcome.status < 300) return `Ons counts only 200 as delivered, not ${outcome.status}`;
  return 'Ons counts the event as failed (only 200 is delivered)';
}

/** Checks a --to URL before anything is sent. */
export function deliveryUrl(text: string | undefined, flag = '--to'): string {
  if (text === undefined) throw new UserError(`Say where to send the events: ${flag} <url>, e.g. ${flag} http://localhost:3000/events.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${flag} ${text} is not a URL: write it in full, e.g. http://localhost:3000/events.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`${flag} ${text}: only http:// and https:// URLs receive webhooks.`);
  return url.href;
}
