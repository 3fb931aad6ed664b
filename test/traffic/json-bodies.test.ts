// A JSON body goes into the record as the bytes that were sent, checked to be JSON but not
// parsed and serialised again: the file holds the same value (numbers beyond 2^53 and all),
// on one line, and anything that is not one JSON text is recorded as text as before.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { bodyValue, JSON_CHECK_SLICE_BYTES, JsonBody } from '../../src/traffic/json-body.js';
import { OFF_THREAD_BYTES } from '../../src/traffic/json-check-thread.js';
import { JsonTextCheck } from '../../src/traffic/json-text.js';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { configFor, startProxy, startUpstream, type Upstream } from '../support/harness.js';
import { onsListAnswer, onsObjectAnswer } from '../support/ons-payloads.js';
import { allRecords, assertValidRecord, byId } from '../support/records.js';

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});

interface Sent {
  readonly id: string;
  readonly body: Buffer;
}

/** POSTs each body through a fresh proxy as application/json; returns its records and the traffic file's text. */
async function throughProxy(bodies: readonly (Buffer | string)[], overrides: Parameters<typeof startProxy>[1] = {}): Promise<{ records: TrafficRecord[]; fileText: string; sent: Sent[]; checkedOffThread: number }> {
  const logDir = `${upstream.dir}/logs-${Math.random().toString(36).slice(2)}`;
  const proxy: RunningInstance = await startProxy(upstream, { ...overrides, logDir });
  const sent: Sent[] = [];
  let checkedOffThread: number;
  try {
    for (const text of bodies) {
      const body = Buffer.from(text);
      const response = await request(`${proxy.url}/__mock/echo`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(response.statusCode).toBe(200);
      await response.body.dump();
      sent.push({ id: String(response.headers['x-request-id']), body });
    }
    // Each proxy's recording has a check thread of its own: its count is in the proxy's status,
    // once every exchange was recorded (the records are made after the answers went out).
    type Traffic = { jsonBodiesCheckedOffThread: number; recordsBuilt: number; recordsPending: number };
    let traffic: Traffic;
    for (let tries = 0; ; tries++) {
      traffic = ((await (await request(`${proxy.url}/__proxy/status`)).body.json()) as { traffic: Traffic }).traffic;
      if ((traffic.recordsBuilt >= bodies.length && traffic.recordsPending === 0) || tries === 500) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    checkedOffThread = traffic.jsonBodiesCheckedOffThread;
  } finally {
    await proxy.close();
  }
  const dir = configFor(upstream, { logDir }).logDir;
  const records = await allRecords(dir);
  for (const record of records) assertValidRecord(record);
  const files = (await readdir(dir)).filter((name) => name.endsWith('.ndjson'));
  const fileText = (await Promise.all(files.map((name) => readFile(path.join(dir, name), 'utf8')))).join('');
  return { records, fileText, sent, checkedOffThread };
}

describe('JSON bodies in the record', () => {
  it('records Ons-shaped answers of 4 KB, 50 KB and 900 KB as their JSON value, bytes as sent', async () => {
    const bodies = [onsObjectAnswer(4096), onsListAnswer(50 * 1024), onsListAnswer(900 * 1024)];
    expect(bodies[2]!.length).toBeGreaterThan(JSON_CHECK_SLICE_BYTES * 4);
    const { records, fileText, sent } = await throughProxy(bodies);
    for (const { id, body } of sent) {
      const record = byId(records, id);
      expect(record.request).toMatchObject({ bodyEncoding: 'json', bodyBytes: body.length, bodyTruncated: false });
      expect(record.request.body).toEqual(JSON.parse(body.toString()));
      expect(fileText.includes(`"body":${body.toString()}`)).toBe(true);
    }
  });

  it('keeps numbers exactly as sent, which parsing and serialising again would round', async () => {
    const text = '{"id":12345678901234567890,"amount":1.10,"ratio":1e2}';
    const { fileText } = await throughProxy([text]);
    expect(fileText).toContain(`"body":${text}`);
  });

  it('puts a pretty-printed body on the one line of its record', async () => {
    const value = { data: [{ id: 1, name: 'Proef\nmans', prefix: null }], meta: { total: 1 } };
    const text = JSON.stringify(value, null, 2).replace(/\n/g, '\r\n');
    const { records, fileText, sent } = await throughProxy([text]);
    expect(fileText.trimEnd().split('\n')).toHaveLength(records.length);
    expect(byId(records, sent[0]!.id).request).toMatchObject({ bodyEncoding: 'json', body: value });
  });

  it('records a body that is not one JSON text as text', async () => {
    const texts = ['{"a":1} {"b":2}', '{"a":01}', '{"a":"\t"}', '\ufeff{"a":1}', '{"a":1,}', '[1,2'];
    const { records, sent } = await throughProxy(texts);
    for (const [index, { id }] of sent.entries()) expect(byId(records, id).request).toMatchObject({ bodyEncoding: 'text', body: texts[index] });
  });

  it(`checks bodies of ${OFF_THREAD_BYTES / 1024} KB and more on the check thread, with the same verdicts`, async () => {
    const large = onsListAnswer(OFF_THREAD_BYTES + 50 * 1024);
    const tabInString = `{"remarks":"${'x'.repeat(OFF_THREAD_BYTES)}\t"}`;
    const trailingComma = `[${'1,'.repeat(OFF_THREAD_BYTES)}]`;
    // Carried to the thread in the larger buffer the one before it came back in: only its own bytes count.
    const afterLarger = onsListAnswer(OFF_THREAD_BYTES);
    const { records, fileText, sent, checkedOffThread } = await throughProxy([large, tabInString, trailingComma, afterLarger]);
    // The four request bodies; the echo's answers are small.
    expect(checkedOffThread).toBe(4);
    expect(byId(records, sent[0]!.id).request).toMatchObject({ bodyEncoding: 'json', body: JSON.parse(large.toString()) });
    expect(fileText.includes(`"body":${large.toString()}`)).toBe(true);
    expect(byId(records, sent[1]!.id).request).toMatchObject({ bodyEncoding: 'text', body: tabInString });
    expect(byId(records, sent[2]!.id).request).toMatchObject({ bodyEncoding: 'text', body: trailingComma });
    expect(byId(records, sent[3]!.id).request).toMatchObject({ bodyEncoding: 'json', body: JSON.parse(afterLarger.toString()) });
  });

  it('parses the body to mask fields and records the masked value', async () => {
    const text = JSON.stringify({ data: [{ id: 1, bsn: '999999990', contact: { bsn: 'x' } }] });
    const { records, fileText, sent } = await throughProxy([text], { redactFields: ['bsn'] });
    expect(byId(records, sent[0]!.id).request.body).toEqual({ data: [{ id: 1, bsn: '[redacted]', contact: { bsn: '[redacted]' } }] });
    expect(fileText).not.toContain('999999990');
  });
});

describe('the JSON text check', () => {
  const verdictOf = (text: string, budget = 7): boolean => {
    const check = new JsonTextCheck(Buffer.from(text));
    while (!check.advance(budget));
    return check.verdict.valid;
  };
  const parses = (text: string): boolean => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };

  it('agrees with JSON.parse on hand-picked texts and on every one-byte change of an Ons answer', () => {
    const picked = ['0', '-0', '-', '1.', '.5', '1e', '1E+5', '-12.5e-3', '00', '"\\u00e9"', '"\\u00g9"', '"\\x"', 'true', 'tru', 'nul', ' null ', '[]', '{}', '[,]', '{"a"}', '{"a":}', '{1:2}', '[1,]', '[[[]]]', '"', '""', '{"a":[1,{"b":null}]}', '', ' ', 'truefalse', '[1]x'];
    for (const text of picked) expect(verdictOf(text), text).toBe(parses(text));
    const answer = onsObjectAnswer(1500).toString();
    const replacements = ['', '"', ',', ':', '{', '}', '[', ']', '\\', '0', '-', 'e', ' ', '\n'];
    for (let at = 0; at < answer.length; at += 3) {
      for (const replacement of replacements) {
        const text = answer.slice(0, at) + replacement + answer.slice(at + 1);
        expect(verdictOf(text, 11), `${replacement} at ${at}`).toBe(parses(text));
      }
    }
  });

  it('parses the value on first use only and shares it', () => {
    const body = new JsonBody(Buffer.from('{"a":[1,2]}'));
    expect(body.value).toBe(body.value);
    expect(bodyValue({ body })).toBe(body.value);
    expect(bodyValue({ body: 'text' })).toBe('text');
    expect(JSON.stringify({ body })).toBe('{"body":{"a":[1,2]}}');
  });
});
