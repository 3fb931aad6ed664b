import type { RawRefusal } from '../proxy/raw-refusal.js';
import { BodyCapture } from './body-capture.js';
import { describeMessage, recordedUrl, type RecordContext } from './build-record.js';
import type { TrafficMessage, TrafficRecord } from './record.js';

/** The record of an answer written outside fastify: no body came in, the problem went out. */
export function buildRefusalRecord(refusal: RawRefusal, context: RecordContext): TrafficRecord {
  const answer = new BodyCapture(context.bodyLimit);
  answer.add(refusal.responseBody);
  return {
    id: refusal.id,
    time: new Date(refusal.startedAt).toISOString(),
    durationMs: 0,
    method: refusal.method,
    url: recordedUrl(refusal.url, context.redactor),
    status: refusal.problem.status,
    profile: context.profile,
    tag: context.tag,
    queuedMs: 0,
    // Neither message has a content encoding, so neither waits for a decoder.
    request: describeMessage(refusal.requestHeaders, undefined, context) as TrafficMessage,
    response: describeMessage(refusal.responseHeaders, answer, context) as TrafficMessage,
  };
}
