// `--design`: the proxy behaves like staging. Over real sockets against an Ons-shaped mTLS
// upstream that counts the calls reaching it.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningInstance } from '../../src/instance/start-instance.js';
import { startProxy, type Upstream } from '../support/harness.js';
import { EXPORT_LINES, OPENAPI_FIXTURE, startOnsShapedUpstream, type OnsShapedUpstream } from './ons-shaped-upstream.js';
import { recordOf } from './records.js';

const DESIGN = {
  connection: 'hr_integration',
  useCases: [
    {
      title: 'Synchroniseer cliënten',
      description: 'Haalt gewijzigde cliënten op.',
      endpoints: [
        { operation: 'GET /v0/administration/clients', reason: 'the list of clients' },
        { operation: 'ClientAPI.byId', reason: 'one changed client' },
        { operation: 'GET /v0/administration/clients/export' },
      ],
    },
    { title: 'Notities', endpoints: [{ operation: 'POST /v0/administration/clients/{client_id}/notes' }] },
  ],
  models: { 'administration.Client': ['id', 'firstName', 'lastName', 'address.city', 'contacts.type'] },
};

const CLIENT_KEYS = ['address', 'contacts', 'firstName', 'id', 'lastName'];

let upstream: OnsShapedUpstream;
let proxy: RunningInstance;
let logDir: string;

async function designFile(name: string, design: unknown): Promise<string> {
  const file = path.join(upstream.dir, name);
  await writeFile(file, JSON.stringify(design, null, 2));
  return file;
}

beforeAll(async () => {
  upstream = await startOnsShapedUpstream();
  logDir = path.join(upstream.dir, 'logs');
  proxy = await startProxy(upstream as Upstream, { openapi: OPENAPI_FIXTURE, design: await designFile('technical-design.json', DESIGN), logDir });
});

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
});

describe('a design enforced by start --design', () => {
  it('blocks an operation no use case lists: it never reaches the upstream, and the answer says how to add it', async () => {
    const response = await fetch(`${proxy.url}/v0/administration/employees`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-ons-proxy-design')).toBe('blocked');
    const body = (await response.json()) as { errorResponseEntries: Array<{ field: string; value: string; message: string }> };
    expect(body.errorResponseEntries[0]?.value).toBe('GET /v0/administration/employees (EmployeeAPI.list)');
    expect(body.errorResponseEntries[0]?.message).toContain('not in the Technical Design');
    expect(body.errorResponseEntries[0]?.message).toContain('"Synchroniseer cliënten", "Notities"');
    expect(body.errorResponseEntries[0]?.message).toContain('{ "operation": "GET /v0/administration/employees" }');
    expect(upstream.calls.get('GET /v0/administration/employees')).toBeUndefined();
    const record = await recordOf(logDir, response.headers.get('x-request-id'));
    expect(record.design).toEqual({ verdict: 'blocked' });
    expect(record.answeredBy).toBe('proxy');
    expect(record.hint).toContain('Blocked by the Technical Design');
  });

  it('removes the fields the selection leaves out, at depth and in arrays, and keeps int64 ids exactly', async () => {
    const response = await fetch(`${proxy.url}/v0/administration/clients?bytes=3000`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ons-proxy-design')).toBe('filtered');
    const text = await response.text();
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(text.startsWith('[{"id":9007199254740993,')).toBe(true);
    const clients = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(clients.length).toBeGreaterThan(2);
    for (const client of clients) {
      expect(Object.keys(client).sort()).toEqual(CLIENT_KEYS);
      expect(Object.keys(client.address as object)).toEqual(['city']);
      for (const contact of client.contacts as object[]) expect(Object.keys(contact)).toEqual(['type']);
    }
    const record = await recordOf(logDir, response.headers.get('x-request-id'));
    expect(record.design?.verdict).toBe('filtered');
    expect(record.design?.removedFields).toEqual(expect.arrayContaining(['bsn', 'dateOfBirth', 'address.street', 'address.geo', 'contacts.value', 'contacts.verified']));
    expect(record.design?.removedFields).not.toContain('address.city');
    // The record holds what the client got.
    expect(record.response.bodyBytes).toBe(Buffer.byteLength(text));
    expect(JSON.stringify(record.response.body)).not.toContain('dateOfBirth');
  });

  it('filters a large JSON answer that streams through the proxy, with the right length', async () => {
    const response = await fetch(`${proxy.url}/v0/administration/clients?bytes=300000`, { headers: { accept: 'application/json' } });
    expect(response.headers.get('x-ons-proxy-design')).toBe('filtered');
    const text = await response.text();
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    const clients = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(clients.length).toBeGreaterThan(400);
    for (const client of clients) expect(Object.keys(client).sort()).toEqual(CLIENT_KEYS);
    const record = await recordOf(logDir, response.headers.get('x-request-id'));
    expect(record.response.bodyBytes).toBe(Buffer.byteLength(text));
  });

  it('filters a gzip answer: decoded, filtered and sent without the encoding', async () => {
    const response = await fetch(`${proxy.url}/v0/administration/clients/5?gzip=1`, { headers: { accept: 'application/json', 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('x-ons-proxy-design')).toBe('filtered');
    const client = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(client).sort()).toEqual(CLIENT_KEYS);
  });

  it('passes on a body its encoding does not fit as the upstream sent it, small or streamed', async () => {
    // Compressed, the first is collected by the forwarder, the second (140 KB) streams through it.
    for (const bytes of [2000, 3_000_000]) {
      const response = await fetch(`${proxy.url}/v0/administration/clients?bytes=${bytes}&gzip&corrupt`, { headers: { accept: 'application/json' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-encoding')).toBe('gzip');
      expect(response.headers.get('x-ons-proxy-design')).toBeNull();
      expect(Number(response.headers.get('content-length'))).toBeGreaterThan(bytes === 2000 ? 100 : 100_000);
      // fetch cannot decode it either: the corrupt body reaches the client as it was.
      await expect(response.arrayBuffer()).rejects.toThrow();
    }
  });

  it('filters a streamed NDJSON answer line by line', async () => {
    const response = await fetch(`${proxy.url}/v0/administration/clients/export`, { headers: { accept: 'application/x-ndjson' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ons-proxy-design')).toBe('filtered');
    const lines = (await response.text()).split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(EXPORT_LINES);
    for (const line of lines) {
      const client = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(client).sort()).toEqual(CLIENT_KEYS);
    }
    const record = await recordOf(logDir, response.headers.get('x-request-id'));
    expect(record.design?.removedFields).toEqual(expect.arrayContaining(['bsn', 'address.street']));
  });

  it('passes a POST and its answer untouched', async () => {
    const note = { text: 'Belde over de afspraak', bsn: '999990000', address: { street: 'Proefstraat' } };
    const response = await fetch(`${proxy.url}/v0/administration/clients/5/notes`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(note) });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-ons-proxy-design')).toBeNull();
    expect(await response.json()).toEqual({ id: 77, ...note, author: 'Proef Medewerker', secretRemark: 'kept' });
    expect(upstream.calls.get('POST /v0/administration/clients/5/notes')).toBe(1);
    const record = await recordOf(logDir, response.headers.get('x-request-id'));
    expect(record.design).toEqual({ verdict: 'passed' });
  });

  it('never blocks /ping', async () => {
    const response = await fetch(`${proxy.url}/ping`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ons-proxy-design')).toBeNull();
  });

  it('serves a Python (requests) client the filtered answer', async () => {
    const script = [
      'import json, sys, requests',
      'r = requests.get(sys.argv[1] + "/v0/administration/clients?bytes=2000", headers={"Accept": "application/json"})',
      'print(json.dumps({"status": r.status_code, "design": r.headers.get("x-ons-proxy-design"), "keys": sorted(r.json()[0].keys()), "address": r.json()[0]["address"]}))',
    ].join('\n');
    const { stdout } = await promisify(execFile)('python3', ['-c', script, proxy.url]);
    expect(JSON.parse(stdout)).toEqual({ status: 200, design: 'filtered', keys: CLIENT_KEYS, address: { city: 'Testdorp' } });
  });
});

describe('a design without an API document, and null for filtered fields', () => {
  let bare: RunningInstance;
  beforeAll(async () => {
    const design = {
      useCases: [{ title: 'Lijst', endpoints: [{ operation: 'GET /v0/administration/clients', model: 'Client' }, { operation: 'GET /v0/administration/clients/{client_id}', model: 'Client' }] }],
      models: { Client: ['id', 'address.city'] },
    };
    bare = await startProxy(upstream as Upstream, { openapi: 'off', design: await designFile('bare.json', design), designFilteredFields: 'null', designBlockedStatus: 404, logDir: path.join(upstream.dir, 'bare-logs') });
  });
  afterAll(async () => {
    await bare?.close();
  });

  it('filters by the model the endpoint names, keeping removed fields as null', async () => {
    const response = await fetch(`${bare.url}/v0/administration/clients?bytes=1000`, { headers: { accept: 'application/json' } });
    const [first] = (await response.json()) as Array<Record<string, unknown>>;
    expect(first?.firstName).toBeNull();
    expect(first?.address).toEqual({ street: null, houseNumber: null, postalCode: null, city: 'Testdorp', geo: null });
    expect(Object.keys(first ?? {})).toHaveLength(15);
  });

  it('blocks what it does not list, with the configured status; a template parameter takes only ids', async () => {
    const byId = await fetch(`${bare.url}/v0/administration/clients/5`, { headers: { accept: 'application/json' } });
    expect(byId.status).toBe(200);
    expect(byId.headers.get('x-ons-proxy-design')).toBe('filtered');
    await byId.arrayBuffer();
    const before = upstream.calls.get('GET /v0/administration/clients/export') ?? 0;
    const response = await fetch(`${bare.url}/v0/administration/clients/export`, { headers: { accept: 'application/x-ndjson' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-ons-proxy-design')).toBe('blocked');
    expect(upstream.calls.get('GET /v0/administration/clients/export') ?? 0).toBe(before);
  });
});
