import { Agent, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MOCK_CLIENT_SERIALS_KEPT, issueCertificate, startMockOnsApi } from '../../src/demo/index.js';
import { call, startHarness, type MockHarness } from './helpers.js';

let h: MockHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.mock.resetStats());

describe('mock Ons API: certificate gate (495)', () => {
  it('answers /ping with 200 text/plain for the demo client certificate', async () => {
    const res = await call(h, '/ping');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toBe('pong');
    expect(h.mock.stats.clientSerials).toEqual([h.pki.client.serialNumber]);
  });

  it('answers 495 like nginx when no certificate is sent', async () => {
    const res = await call(h, '/ping', { agent: h.anonymous });
    expect(res.status).toBe(495);
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.text).toContain('No required SSL certificate was sent');
    expect(h.mock.stats.clientSerials).toEqual([]);
    expect(h.mock.stats.requests).toBe(1);
  });

  it('answers 495 for an expired certificate from the right CA', async () => {
    const expired = issueCertificate({
      issuer: h.pki.ca,
      commonName: h.pki.client.commonName,
      usage: 'client',
      keyPem: h.pki.client.keyPem,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2021-01-01T00:00:00Z'),
    });
    const agent = new Agent({ connect: { ca: h.pki.ca.certPem, cert: expired.certPem, key: expired.keyPem } });
    try {
      const res = await call(h, '/ping', { agent });
      expect(res.status).toBe(495);
      expect(res.text).toContain('The SSL certificate error');
      expect(h.mock.stats.clientSerials).toEqual([expired.serialNumber]);
    } finally {
      await agent.destroy();
    }
  });

  it('answers 495 for a certificate from another CA, even on test routes', async () => {
    for (const path of ['/ping', '/__mock/echo', '/t/clients']) {
      const res = await call(h, path, { agent: h.foreign });
      expect(res.status).toBe(495);
      expect(res.text).toContain('The SSL certificate error');
    }
    expect(h.mock.stats.clientSerials).toHaveLength(3);
    expect(h.mock.stats.clientSerials[0]).not.toBe(h.pki.client.serialNumber);
  });
});

describe('mock Ons API: content negotiation (406)', () => {
  it.each([
    ['application/json', 200],
    ['application/json; charset=utf-8', 200],
    ['application/*', 200],
    ['*/*', 200],
    ['text/html, application/json;q=0.1', 200],
    ['text/html', 406],
    ['application/xml', 406],
    ['application/json;q=0, */*', 406],
  ])('Accept %s gives %i', async (accept, status) => {
    const res = await call(h, '/t/clients', { headers: { accept } });
    expect(res.status).toBe(status);
    if (status === 406) expect(JSON.parse(res.text)).toMatchObject({ errorResponseEntries: [{ field: 'Accept', value: accept }] });
  });

  it('answers 406 when Accept is missing, because the real API requires one', async () => {
    const res = await call(h, '/t/clients/1', { headers: {} });
    expect(res.status).toBe(406);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('leaves /ping and /__mock/ routes outside negotiation', async () => {
    expect((await call(h, '/ping', { headers: {} })).status).toBe(200);
    expect((await call(h, '/__mock/echo', { headers: { accept: 'text/html' } })).status).toBe(200);
  });

  it('streams NDJSON only to clients that accept it', async () => {
    const ok = await call(h, '/t/clients/export', { headers: { accept: 'application/x-ndjson' } });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/x-ndjson');
    const lines = ok.text.trim().split('\n').map((line) => JSON.parse(line) as { id: number });
    expect(lines.map((c) => c.id)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect((await call(h, '/t/clients/export', { headers: { accept: 'application/json' } })).status).toBe(406);
  });
});

describe('mock Ons API: parallelism gate (429)', () => {
  it('rejects the fifth parallel request on one certificate', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call(h, '/__mock/slow?ms=1000')),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const rejected = results.find((r) => r.status === 429);
    expect(JSON.parse(rejected?.text ?? '{}')).toMatchObject({
      errorResponseEntries: [{ field: 'certificate', value: h.pki.client.commonName }],
    });
    expect(h.mock.stats.maxInFlight).toBe(5);
    expect(h.mock.stats.clientSerials).toEqual(Array(5).fill(h.pki.client.serialNumber));
  });

  it('admits requests again once earlier ones finish', async () => {
    const first = await Promise.all(Array.from({ length: 4 }, () => call(h, '/__mock/slow?ms=50')));
    const second = await Promise.all(Array.from({ length: 4 }, () => call(h, '/__mock/slow?ms=50')));
    expect([...first, ...second].every((r) => r.status === 200)).toBe(true);
    expect(h.mock.stats.inFlight).toBe(0);
  });
});

describe('mock Ons API: stats.clientSerials stays bounded', () => {
  it('keeps only the most recent serials, in the same array (the demo may run for days)', async () => {
    expect(MOCK_CLIENT_SERIALS_KEPT).toBe(10_000);
    const { pki } = h;
    const small = await startMockOnsApi({ pki: { serverCertPem: pki.server.certPem, serverKeyPem: pki.server.keyPem, caPem: pki.ca.certPem }, clientSerialsKept: 3 });
    try {
      const serials = small.stats.clientSerials;
      for (const agent of [h.client, h.client, h.foreign, h.client, h.foreign]) {
        await (await request(`${small.url}/ping`, { dispatcher: agent })).body.dump();
      }
      expect(small.stats.requests).toBe(5);
      expect(small.stats.clientSerials).toBe(serials);
      const foreignSerial = serials[0];
      expect(foreignSerial).not.toBe(pki.client.serialNumber);
      expect(serials).toEqual([foreignSerial, pki.client.serialNumber, foreignSerial]);
    } finally {
      await small.close();
    }
  });
});
