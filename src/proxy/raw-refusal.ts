import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Problem } from './problem.js';

/**
 * An answer the proxy wrote itself on a connection fastify never turned into an exchange
 * (a CONNECT tunnel, a request Node's HTTP parser rejected). It is still an answer the
 * client got, so it carries an x-request-id and becomes a record like every other.
 */
export interface RawRefusal {
  readonly id: string;
  /** Wall-clock time of the answer, for the record's `time`. */
  readonly startedAt: number;
  /** As far as the request line could be read; empty when it could not. */
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: IncomingHttpHeaders;
  readonly problem: Problem;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly responseBody: string;
}

export type ReportRefusal = (refusal: RawRefusal) => void;

// Lets the parser's error handler find the exchange of the response it would otherwise cut
// short: a symbol property, not a WeakMap, for the same young-generation GC cost reason as
// the request decorations.
const EXCHANGE_REPLY = Symbol('ons-proxy exchange reply');
type ResponseWithReply = ServerResponse & { [EXCHANGE_REPLY]?: FastifyReply };

export function linkReply(reply: FastifyReply): void {
  (reply.raw as ResponseWithReply)[EXCHANGE_REPLY] = reply;
}

/** The fastify reply of an exchange under way on this response, if there is one. */
export function linkedReply(response: ServerResponse | null | undefined): FastifyReply | undefined {
  return response ? (response as ResponseWithReply)[EXCHANGE_REPLY] : undefined;
}
