// A delivery's record: valid against the record schema, with the body's exact bytes (what
// replay sends), unless the configuration says to mask fields or keep no bodies.
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/traffic/redact.js';
import { buildDeliveryRecord, recordedBodyBytes, type DeliveryExchange } from '../../src/webhooks/records.js';
import { assertValidRecord } from '../support/records.js';

const body = Buffer.from('{"customerCode":"TE1002",  "modelType":"care_plan_activated","eventType":"CUSTOM","payload":{"clientId":12},"note":"Zoë"}');
const exchange = (requestBody: Buffer): DeliveryExchange => ({
  started: new Date('2026-12-07T10:00:00Z'),
  durationMs: 12.345,
  url: '/events',
  upstreamUrl: 'http://127.0.0.1:3000/events',
  status: 200,
  webhook: { direction: 'received', event: 'care_plan_activated.CUSTOM', id: '12', signature: 'valid', encoding: 'hex', forwardedTo: 'http://127.0.0.1:3000/events' },
  request: { headers: { 'content-type': 'application/json', 'x-signature-sha512': 'ab'.repeat(64), authorization: 'Bearer secret-token' }, body: requestBody },
  response: { headers: { 'content-type': 'text/plain' }, body: Buffer.from('ok') },
});
const settings = { profile: 'default', tag: undefined, logBodies: true };
const plain = createRedactor({ redactHeaders: [], redactFields: [] });

describe('delivery records', () => {
  it('keep the body as its exact text, valid against the record schema, credentials redacted', () => {
    const record = buildDeliveryRecord(exchange(body), settings, plain);
    assertValidRecord(JSON.parse(JSON.stringify(record)));
    expect(record.request).toMatchObject({ body: body.toString('utf8'), bodyEncoding: 'text', bodyBytes: body.length, bodyTruncated: false });
    expect(record.request.headers.authorization).toBe('[redacted]');
    expect(record.request.headers['x-signature-sha512']).toBe('ab'.repeat(64));
    const reread = JSON.parse(JSON.stringify(record)) as typeof record;
    expect(recordedBodyBytes(reread.request)?.equals(body)).toBe(true);
  });

  it('keep a body that is not UTF-8 as base64, byte for byte', () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x7b]);
    const record = buildDeliveryRecord(exchange(binary), settings, plain);
    expect(record.request.bodyEncoding).toBe('base64');
    expect(recordedBodyBytes(record.request)?.equals(binary)).toBe(true);
  });

  it('mask ONS_PROXY_REDACT_FIELDS and then say the bytes are not the delivered ones', () => {
    const record = buildDeliveryRecord(exchange(body), settings, createRedactor({ redactHeaders: [], redactFields: ['clientId'] }));
    expect(String(record.request.body)).not.toContain('12}');
    expect(record.request.bodyNote).toMatch(/replay cannot send them as they were/);
    expect(recordedBodyBytes(record.request)).toBeUndefined();
  });

  it('keep no body with ONS_PROXY_LOG_BODIES=false', () => {
    const record = buildDeliveryRecord(exchange(body), { ...settings, logBodies: false }, plain);
    expect(record.request).toEqual({ headers: record.request.headers, bodyBytes: body.length, bodyTruncated: false, bodyEncoding: 'omitted' });
    expect(recordedBodyBytes(record.request)).toBeUndefined();
  });
});
