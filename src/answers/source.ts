// Where answers come from: peers tried in order by the catch-all handler (replay's fixtures,
// the mock generated from the API document), forwarding to the API last. A source answers
// through fastify's reply.send, so every onSend hook (recording, the Technical Design's field
// filter) sees its answers as it sees forwarded ones, and the record says who answered.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TrafficRecord } from '../traffic/record.js';

export type AnswerSourceName = NonNullable<TrafficRecord['answeredBy']>;

export interface AnswerSource {
  readonly name: AnswerSourceName;
  /**
   * Answers the request with reply.send and says true, or says false to pass it to the next
   * source. A promise only when it must wait (a request body, a fixture's recorded latency).
   */
  answer(request: FastifyRequest, reply: FastifyReply): boolean | Promise<boolean>;
}

/** Asks the sources in order; resolves true once one answered. Synchronous while every source is. */
export function tryAnswerSources(sources: readonly AnswerSource[], request: FastifyRequest, reply: FastifyReply, from = 0): boolean | Promise<boolean> {
  for (let index = from; index < sources.length; index++) {
    const source = sources[index] as AnswerSource;
    const answered = source.answer(request, reply);
    if (answered instanceof Promise) return answered.then((done) => (done ? mark(request, source) : tryAnswerSources(sources, request, reply, index + 1)));
    if (answered) return mark(request, source);
  }
  return false;
}

function mark(request: FastifyRequest, source: AnswerSource): true {
  request.exchange.answeredBy ??= source.name;
  return true;
}
