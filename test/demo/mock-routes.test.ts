import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, EMPLOYEES } from '../../src/demo/index.js';
import { call, startHarness, type MockHarness } from './helpers.js';

let h: MockHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const JSON_TYPE = 'application/json; charset=utf-8';

async function json(path: string, init?: Parameters<typeof call>[2]): Promise<{ status: number; body: unknown; type: unknown }> {
  const res = await call(h, path, init);
  return { status: res.status, body: JSON.parse(res.text) as unknown, type: res.headers['content-type'] };
}

describe('mock Ons API: fixtures', () => {
  it('holds about 25 clients and 10 employees with unique ids and no BSN-like numbers', () => {
    expect(CLIENTS).toHaveLength(25);
    expect(EMPLOYEES).toHaveLength(10);
    expect(new Set([...CLIENTS, ...EMPLOYEES].map((p) => p.id)).size).toBe(35);
    expect(JSON.stringify([CLIENTS, EMPLOYEES])).not.toMatch(/\b\d{9}\b/);
  });
});

describe('mock Ons API: pagination', () => {
  it('returns a bare array with the default limit', async () => {
    const { status, body, type } = await json('/t/clients');
    expect(status).toBe(200);
    expect(type).toBe(JSON_TYPE);
    expect(Array.isArray(body)).toBe(true);
    expect((body as { id: number }[]).map((c) => c.id)).toEqual(CLIENTS.map((c) => c.id));
  });

  it('applies limit and offset', async () => {
    const { body } = await json('/t/clients?limit=5&offset=3');
    expect((body as { id: number }[]).map((c) => c.id)).toEqual([4, 5, 6, 7, 8]);
    const tail = await json('/t/employees?offset=8');
    expect((tail.body as { id: number }[]).map((e) => e.id)).toEqual([109, 110]);
    const past = await json('/t/clients?offset=100');
    expect(past.body).toEqual([]);
  });

  it.each(['limit=abc', 'limit=0', 'limit=-1', 'limit=1001', 'offset=x', 'offset=1.5'])('rejects %s with 400', async (query) => {
    const { status, body } = await json(`/t/clients?${query}`);
    const [field, value] = query.split('=');
    expect(status).toBe(400);
    expect(body).toEqual({ errorResponseEntries: [{ field, value, message: expect.any(String) as unknown }] });
  });
});

describe('mock Ons API: items and errors', () => {
  it('returns one client and one employee', async () => {
    expect((await json('/t/clients/3')).body).toEqual(CLIENTS[2]);
    expect((await json('/t/employees/101')).body).toEqual(EMPLOYEES[0]);
  });

  it('answers a missing /t/ item with the Ons error shape', async () => {
    const { status, body, type } = await json('/t/clients/999');
    expect(status).toBe(404);
    expect(type).toBe(JSON_TYPE);
    expect(body).toEqual({ errorResponseEntries: [{ field: 'id', value: '999', message: 'client with id 999 not found' }] });
  });

  it('answers a missing /v0/ item with RFC 9457 fields as application/json', async () => {
    const { status, body, type } = await json('/v0/administration/clients/999');
    expect(status).toBe(404);
    expect(type).toBe(JSON_TYPE);
    expect(body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'Client with id 999 does not exist' });
    const found = await json('/v0/administration/clients/2');
    expect(found.body).toMatchObject({ id: 2, name: { given: CLIENTS[1]?.firstName } });
  });

  it('answers unknown paths with 404 JSON and wrong methods with 405', async () => {
    const unknown = await json('/t/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ errorResponseEntries: [{ field: 'path', value: '/t/nothing-here' }] });
    const wrong = await json('/t/clients', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
  });

  it('answers 403 "not enabled for this connection" for filtered endpoints, any method', async () => {
    for (const method of ['GET', 'POST']) {
      const { status, body } = await json('/t/finance/invoices', { method, headers: { accept: 'application/json' } });
      expect(status).toBe(403);
      expect(body).toEqual({
        errorResponseEntries: [{ field: 'endpoint', value: '/t/finance/invoices', message: 'This endpoint is not enabled for this connection' }],
      });
    }
  });
});

describe('mock Ons API: POST /t/clients/:id/notes', () => {
  const headers = { accept: 'application/json', 'content-type': 'application/json' };

  it('creates a note with 201 and increasing ids', async () => {
    const first = await json('/t/clients/4/notes', { method: 'POST', headers, body: JSON.stringify({ text: 'Eerste notitie' }) });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ clientId: 4, text: 'Eerste notitie', category: 'general' });
    const second = await json('/t/clients/4/notes', { method: 'POST', headers, body: JSON.stringify({ text: 'Twee', category: 'care' }) });
    expect((second.body as { id: number }).id).toBe((first.body as { id: number }).id + 1);
  });

  it('rejects a non-JSON content type with 415', async () => {
    const res = await json('/t/clients/4/notes', { method: 'POST', headers: { accept: 'application/json', 'content-type': 'text/plain' }, body: 'hoi' });
    expect(res.status).toBe(415);
  });

  it('rejects malformed JSON with 400 and invalid fields with 422', async () => {
    const bad = await json('/t/clients/4/notes', { method: 'POST', headers, body: '{"text":' });
    expect(bad.status).toBe(400);
    const invalid = await json('/t/clients/4/notes', { method: 'POST', headers, body: JSON.stringify({ text: '', category: 'x' }) });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ errorResponseEntries: [{ field: 'text' }] });
    const category = await json('/t/clients/4/notes', { method: 'POST', headers, body: JSON.stringify({ text: 'ok', category: 'x' }) });
    expect(category.body).toMatchObject({ errorResponseEntries: [{ field: 'category', value: 'x' }] });
  });

  it('answers 404 for an unknown client and 413 for an oversized body', async () => {
    expect((await json('/t/clients/999/notes', { method: 'POST', headers, body: '{"text":"x"}' })).status).toBe(404);
    const big = JSON.stringify({ text: 'x'.repeat(100_000) });
    expect((await json('/t/clients/4/notes', { method: 'POST', headers, body: big })).status).toBe(413);
  });
});
