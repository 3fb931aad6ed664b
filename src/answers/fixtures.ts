// Replay's fixtures as an answer source, inside the proxy: a request a fixture matches gets
// its recorded answer (x-ons-proxy-replay names the file); any other passes to the next source
// (the mock, for `replay --fallback mock`).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { withoutHopByHop } from '../proxy/hop-by-hop.js';
import { sendProblem } from '../proxy/problem.js';
import { bodyBytes, REPLAY_HEADER, splitUrl } from '../replay/fixture.js';
import { FixtureMatcher, type MatchOptions, type NamedFixture, type ReplayRequest } from '../replay/matcher.js';
import type { Latency } from '../replay/index.js';
import { hasRequestBody, requestBody } from './body.js';
import type { AnswerSource } from './source.js';

export interface FixtureSourceOptions {
  readonly fixtures: readonly NamedFixture[];
  readonly match: MatchOptions;
  readonly latency: Latency;
}

export function fixtureAnswerSource(options: FixtureSourceOptions): AnswerSource {
  const matcher = new FixtureMatcher(options.fixtures, options.match);
  const answer = (request: FastifyRequest, reply: FastifyReply, body: Buffer): boolean | Promise<boolean> => {
    const { path, query } = splitUrl(request.url);
    const replayRequest: ReplayRequest = { method: request.method, path, query, body };
    const result = matcher.match(replayRequest);
    if (result.kind === 'miss') return false;
    if (result.kind === 'exhausted') {
      reply.header(REPLAY_HEADER, 'replay_exhausted');
      sendProblem(reply, {
        status: 404,
        code: 'replay_exhausted',
        title: 'No more recorded answers for this request',
        detail: `${request.method} ${request.url} was recorded ${result.fixtures.length} time${result.fixtures.length === 1 ? '' : 's'}; this is call ${result.call}, and --strict serves no more. Record the extra call, or replay without --strict to get the last answer again.`,
      });
      return true;
    }
    const { fixture, file } = result.fixture;
    const send = (): true => {
      const headers = withoutHopByHop(fixture.response.headers);
      delete headers['content-length'];
      void reply
        .code(fixture.response.status)
        .headers({ ...headers, [REPLAY_HEADER]: file })
        .send(request.method === 'HEAD' ? undefined : bodyBytes(fixture.response));
      return true;
    };
    const wait = options.latency === 'recorded' ? fixture.source.durationMs : options.latency;
    return wait > 0 ? new Promise((resolve) => setTimeout(() => resolve(send()), wait)) : send();
  };
  return {
    name: 'fixture',
    answer(request, reply) {
      return hasRequestBody(request) ? requestBody(request).then((body) => answer(request, reply, body)) : answer(request, reply, Buffer.alloc(0));
    },
  };
}
