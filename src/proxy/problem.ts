import type { FastifyReply } from 'fastify';

/** Every error the proxy itself produces, as one RFC 9457 problem document. */
export interface Problem {
  readonly status: number;
  /** Stable machine-readable code, e.g. "upstream_certificate_untrusted". */
  readonly code: string;
  readonly title: string;
  /** What happened and how to fix it, in one or two sentences for a developer. */
  readonly detail: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemBody(problem: Problem, requestId: string): string {
  return JSON.stringify({
    type: `urn:ons-mtls-proxy:problem:${problem.code}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    requestId,
  });
}

/** Sends the problem unless a response is already under way (then the caller must abort instead). */
export function sendProblem(reply: FastifyReply, problem: Problem): void {
  if (reply.sent || reply.raw.headersSent) return;
  reply.request.exchange.problem = problem;
  reply
    .code(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header('cache-control', 'no-store')
    .send(problemBody(problem, reply.request.id));
}
