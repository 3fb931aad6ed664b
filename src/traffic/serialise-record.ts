import type { TrafficMessage, TrafficRecord } from './record.js';
import { recordJson, type RecordJson } from './record-bytes.js';

/**
 * The record's JSON text, once for every sink. Should a record still not serialise (a body
 * value no bound caught), it is written without its bodies and says so: the exchange keeps
 * its one record, and nothing throws out of the exchange path.
 */
export function serialiseRecord(record: TrafficRecord, onFallback: (error: Error) => void): { record: TrafficRecord; json: RecordJson } {
  try {
    return { record, json: recordJson(record) };
  } catch (error) {
    onFallback(error as Error);
    const note = `Not recorded: the body could not be written as JSON (${(error as Error).message}).`;
    const withoutBody = (message: TrafficMessage): TrafficMessage => ({
      headers: message.headers,
      bodyBytes: message.bodyBytes,
      bodyTruncated: message.bodyTruncated,
      bodyEncoding: 'omitted',
      bodyNote: note,
    });
    const fallback: TrafficRecord = { ...record, request: withoutBody(record.request), response: withoutBody(record.response) };
    return { record: fallback, json: [Buffer.from(JSON.stringify(fallback))] };
  }
}
