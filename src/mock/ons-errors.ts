// Ons's own error shape, as the API answers a request it refuses:
// {"errorResponseEntries":[{"field","value","message"}]}, served as application/json.
import type { FastifyReply } from 'fastify';

export interface OnsErrorEntry {
  readonly field: string;
  readonly value: string;
  readonly message: string;
}

export const MOCK_HEADER = 'x-ons-proxy-mock';
/** The header's value on an answer that is no operation's (an unknown path, a method the path does not have). */
export const NO_OPERATION = 'none';
/** The longest `value` an entry repeats from the request: a long body is not worth echoing whole. */
const MAX_VALUE_LENGTH = 200;

export function sendOnsError(reply: FastifyReply, status: number, entries: readonly OnsErrorEntry[], operationId: string): void {
  const body = JSON.stringify({ errorResponseEntries: entries.map((entry) => ({ ...entry, value: shortened(entry.value) })) });
  void reply.code(status).header('content-type', 'application/json').header(MOCK_HEADER, operationId).send(body);
}

function shortened(value: string): string {
  return value.length <= MAX_VALUE_LENGTH ? value : `${value.slice(0, MAX_VALUE_LENGTH)}...`;
}
