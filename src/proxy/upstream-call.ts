// One call to the upstream, as an undici dispatch handler: it talks to undici's dispatcher
// directly, with no URL parsing, header copies, retry wrappers or AbortSignal per call, and
// hands fastify either the whole body (small answers) or a plain stream (the rest).
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { noteStreamedBytes } from './streamed-buffers.js';

/** What the forwarder does with each stage of an upstream answer; `exchange` is the call's own. */
export interface UpstreamCallOwner<Exchange> {
  /**
   * The answer, once: as soon as its head arrived when the body streams, or once it is
   * complete when it was small enough to collect (`body` is then a Buffer, or undefined when empty).
   */
  respond(exchange: Exchange, head: UpstreamHead, body: Readable | Buffer | undefined): void;
  /** The call failed before a response went out, or the stream broke off after. */
  fail(exchange: Exchange, error: Error, responseStarted: boolean): void;
  /** The call failed before any answer: may it be sent again? */
  mayRetry(exchange: Exchange, error: Error, attempt: number): boolean;
  /** Each attempt (a retry included) as it is dispatched; the returned function runs once when it has ended. */
  dispatched(exchange: Exchange): () => void;
}

// Answers up to this size with a declared length are collected and sent in one write: a small
// JSON answer then costs the client one packet, and fastify's own send path instead of a stream.
export const BUFFERED_BODY_LIMIT = 64 * 1024;
// One upstream read is up to 64 KB; a smaller mark would pause undici after every read.
const STREAM_HIGH_WATER_MARK = 64 * 1024;

export interface UpstreamHead {
  readonly statusCode: number;
  readonly statusMessage: string;
  readonly headers: IncomingHttpHeaders;
}

export class UpstreamCall<Exchange> implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #cancelReason: Error | undefined;
  #stream: Readable | undefined;
  #chunks: Buffer[] | undefined;
  #head: UpstreamHead | undefined;
  #started = false;
  #attempt = 0;
  #attemptEnded: (() => void) | undefined;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly options: Dispatcher.DispatchOptions,
    private readonly owner: UpstreamCallOwner<Exchange>,
    private readonly exchange: Exchange,
  ) {}

  start(): void {
    this.#attemptEnded = this.owner.dispatched(this.exchange);
    try {
      this.dispatcher.dispatch(this.options, this);
    } catch (error) {
      this.#endAttempt();
      throw error;
    }
  }

  #endAttempt(): void {
    const ended = this.#attemptEnded;
    this.#attemptEnded = undefined;
    ended?.();
  }

  /** Stops the call (the client left); safe before it started and after it ended. */
  cancel(reason: Error): void {
    this.#cancelReason ??= reason;
    if (this.#controller && !this.#controller.aborted) this.#controller.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#cancelReason) controller.abort(this.#cancelReason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage = ''): void {
    // 1xx interim answers (103 Early Hints) are not passed on; the final answer follows.
    if (statusCode < 200) return;
    this.#started = true;
    const length = headers['content-length'];
    const buffered = this.options.method === 'HEAD' || (length !== undefined && Number(length) <= BUFFERED_BODY_LIMIT && headers['content-type'] !== undefined) || length === '0';
    const head: UpstreamHead = { statusCode, statusMessage, headers };
    if (buffered) {
      this.#chunks = [];
      this.#head = head;
      return;
    }
    const stream = new Readable({ highWaterMark: STREAM_HIGH_WATER_MARK, read: () => controller.resume() });
    this.#stream = stream;
    this.owner.respond(this.exchange, head, stream);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#chunks) {
      this.#chunks.push(chunk);
      return;
    }
    noteStreamedBytes(chunk.length);
    if (this.#stream && !this.#stream.push(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.#endAttempt();
    const chunks = this.#chunks;
    if (chunks && this.#head) {
      this.owner.respond(this.exchange, this.#head, chunks.length === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    } else {
      this.#stream?.push(null);
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#endAttempt();
    if (!this.#started && this.#cancelReason === undefined && this.owner.mayRetry(this.exchange, error, this.#attempt)) {
      this.#attempt++;
      this.#controller = undefined;
      this.start();
      return;
    }
    // A buffered answer that broke off never reached the client: it can still get a problem.
    const responseStarted = this.#stream !== undefined;
    this.#chunks = undefined;
    this.owner.fail(this.exchange, error, responseStarted);
    this.#stream?.destroy(error);
  }
}
