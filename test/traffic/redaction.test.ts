// Secrets and named care-data fields are redacted once, when the record is built, so none of
// the four outputs (traffic file, console, inspector API and events, HAR) ever holds them.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS } from '../../src/demo/index.js';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import { localDay, trafficFileName, type TrafficRecord } from '../../src/traffic/index.js';
import { openEvents, type EventStreamClient } from '../support/event-stream.js';
import { configFor, startUpstream, type Upstream } from '../support/harness.js';
import { allRecords, byId } from '../support/records.js';

const SECRET_HEADERS = {
  authorization: 'Bearer TOKEN-A1',
  'proxy-authorization': 'Basic PROXY-B2',
  cookie: 'session=COOKIE-C3',
  'x-api-key': 'KEY-D4',
  'X-Custom-Secret': 'CUSTOM-E5',
};
const BSNS = ['999999990', '111222333', '444555666'];
const birthDates = CLIENTS.slice(0, 3).map((client) => client.dateOfBirth);
const SECRETS = [...Object.values(SECRET_HEADERS).map((value) => value.split(/[ =]/)[1] ?? value), 'HttpOnly', ...BSNS, ...birthDates];

let upstream: Upstream;
let proxy: RunningInstance;
let events: EventStreamClient;
let consoleText = '';
const ids: Record<string, string> = {};
const outputs: Record<string, string> = {};

async function send(name: string, pathAndQuery: string, options: { method?: 'POST'; body?: string; headers?: Record<string, string> } = {}): Promise<void> {
  const response = await request(`${proxy.url}${pathAndQuery}`, { method: options.method ?? 'GET', body: options.body, headers: { accept: 'application/json', ...options.headers } });
  ids[name] = String(response.headers['x-request-id']);
  await response.body.dump();
}

beforeAll(async () => {
  upstream = await startUpstream();
  const consoleStream = new PassThrough();
  consoleStream.on('data', (chunk: Buffer) => (consoleText += chunk.toString()));
  // At debug level the console line carries the headers too: the most it ever shows.
  const config = configFor(upstream, { redactHeaders: ['X-Custom-Secret'], redactFields: ['bsn', 'DateOfBirth'], logLevel: 'debug' });
  proxy = await startInstance(config, { logger: createConsoleLogger('debug', consoleStream) });
  events = await openEvents(proxy);

  await send('clients', '/t/clients?limit=3', { headers: SECRET_HEADERS });
  await send('cookies', '/__mock/headers');
  await send('json', '/__mock/upload', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client: { bsn: BSNS[0], name: 'Anne' }, list: [{ BSN: BSNS[1] }] }),
  });
  await send('ndjson', '/__mock/upload', {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: `{"bsn":"${BSNS[2]}","n":1}\n{"bsn": ${BSNS[2]},"n":2}\n`,
  });

  outputs.inspectorList = await (await request(`${proxy.url}/__proxy/api/exchanges`)).body.text();
  outputs.inspectorDetails = (await Promise.all(Object.values(ids).map(async (id) => (await request(`${proxy.url}/__proxy/api/exchanges/${id}`)).body.text()))).join('\n');
  outputs.har = await (await request(`${proxy.url}/__proxy/har`)).body.text();
  events.close();
  outputs.inspectorEvents = events.raw();
  await proxy.close();
  outputs.console = consoleText;
  outputs.file = await readFile(path.join(config.logDir, trafficFileName(localDay(new Date()))), 'utf8');
});

afterAll(async () => {
  await upstream.close();
});

describe('redaction', () => {
  it.each(['file', 'console', 'inspectorList', 'inspectorDetails', 'inspectorEvents', 'har'])('leaves no secret in the %s output', (output) => {
    const text = outputs[output] ?? '';
    expect(text.length).toBeGreaterThan(0);
    for (const secret of SECRETS) expect(text, `${secret} in ${output}`).not.toContain(secret);
  });

  it('shows every redacted header as "[redacted]", in the record, the console and the HAR', async () => {
    const record = byId(await allRecords(proxy.config.logDir), ids.clients);
    for (const name of Object.keys(SECRET_HEADERS)) expect(record.request.headers[name.toLowerCase()]).toBe('[redacted]');
    expect(outputs.console).toContain('"authorization":"[redacted]"');
    expect(outputs.har).toContain('{"name":"x-custom-secret","value":"[redacted]"}');
    const cookies = byId(await allRecords(proxy.config.logDir), ids.cookies);
    expect(cookies.response.headers['set-cookie']).toEqual(['[redacted]', '[redacted]']);
  });

  it('masks the named fields at any depth and in any case in JSON bodies, and in line-delimited text', async () => {
    const records = await allRecords(proxy.config.logDir);
    const clients = byId(records, ids.clients).response.body as Array<Record<string, unknown>>;
    expect(clients).toHaveLength(3);
    for (const client of clients) expect(client.dateOfBirth).toBe('[redacted]');
    expect(clients[0]?.lastName).toBe(CLIENTS[0]?.lastName);
    const json: TrafficRecord = byId(records, ids.json);
    expect(json.request.body).toEqual({ client: { bsn: '[redacted]', name: 'Anne' }, list: [{ BSN: '[redacted]' }] });
    expect(byId(records, ids.ndjson).request.body).toBe('{"bsn":"[redacted]","n":1}\n{"bsn": "[redacted]","n":2}\n');
  });
});
