// Failures once the response is under way, clients that leave, and what is (not) retried.
import http from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyConfig } from '../../src/config/load.js';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import { configFor, startUpstream, type Upstream } from '../support/harness.js';
import { captureExchanges, startCapturedProxy, type Capture } from '../support/captured-proxy.js';
import { startMisbehavingUpstream, type MisbehavingUpstream } from './misbehaving-upstream.js';

let demo: Upstream;
let misbehaving: MisbehavingUpstream;
let capture: Capture;
let patient: RunningInstance;
let impatient: RunningInstance;
const extra: RunningInstance[] = [];

beforeAll(async () => {
  demo = await startUpstream();
  misbehaving = await startMisbehavingUpstream({ certPem: demo.pki.server.certPem, keyPem: demo.pki.server.keyPem, clientCaPem: demo.pki.ca.certPem });
  capture = captureExchanges();
  patient = await startCapturedProxy(demo, capture, { upstream: misbehaving.url });
  impatient = await startCapturedProxy(demo, capture, { upstream: misbehaving.url, timeoutMs: 400 });
});
afterAll(async () => {
  for (const instance of [patient, impatient, ...extra]) await instance.close();
  await misbehaving.close();
  await demo.close();
});

async function freshProxy(overrides: Partial<ProxyConfig> = {}): Promise<RunningInstance> {
  const instance = await startCapturedProxy(demo, capture, { upstream: misbehaving.url, ...overrides });
  extra.push(instance);
  return instance;
}

/** A GET whose headers arrive and whose body then fails: returns the status and how reading the body ended. */
async function headersThenBodyFailure(instance: RunningInstance, path: string): Promise<{ status: number; id: string; bodyError: Error | undefined; received: number }> {
  const response = await request(`${instance.url}${path}`);
  let received = 0;
  let bodyError: Error | undefined;
  try {
    for await (const chunk of response.body) received += (chunk as Buffer).length;
  } catch (error) {
    bodyError = error as Error;
  }
  return { status: response.statusCode, id: String(response.headers['x-request-id']), bodyError, received };
}

describe('a small answer that breaks off', () => {
  it('reaches the client as a 502 problem, because nothing of it was sent yet', async () => {
    const response = await request(`${patient.url}/reset-small-body`);
    const body = (await response.body.json()) as { code: string };
    expect(response.statusCode).toBe(502);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(body.code).toBe('upstream_connection_reset');
    const completed = await capture.exchange(String(response.headers['x-request-id']));
    expect(completed.exchange.error?.code).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
  });
});

describe('the status line', () => {
  it("passes the upstream's own reason phrase on", async () => {
    const { statusCode, statusMessage } = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${patient.url}/own-reason-phrase`, (response) => {
        response.resume();
        resolve(response);
      }).on('error', reject);
    });
    expect(statusCode).toBe(202);
    expect(statusMessage).toBe('Queued For Import');
  });
});

describe('a failure after the response headers were sent', () => {
  it.each(['/reset-mid-body', '/reset-mid-chunked'])('%s: the client connection is aborted, not ended with a short body, and the record says why', async (path) => {
    const outcome = await headersThenBodyFailure(patient, path);
    expect(outcome.status).toBe(200);
    expect(outcome.bodyError).toBeDefined();
    expect(outcome.received).toBeLessThan(256 * 1024);
    const completed = await capture.exchange(outcome.id);
    expect(completed.aborted).toBe(true);
    expect(completed.exchange.error?.code).toMatch(/UND_ERR_SOCKET|ECONNRESET|UND_ERR_RES_CONTENT_LENGTH_MISMATCH/);
  });

  it('a body that stalls past ONS_PROXY_TIMEOUT_MS: the client connection is aborted and the record names the timeout', async () => {
    const outcome = await headersThenBodyFailure(impatient, '/stall-mid-body');
    expect(outcome.status).toBe(200);
    expect(outcome.bodyError).toBeDefined();
    const completed = await capture.exchange(outcome.id);
    expect(completed.aborted).toBe(true);
    expect(completed.exchange.error?.code).toBe('UND_ERR_BODY_TIMEOUT');
  });
});

describe('the client goes away', () => {
  it('before the response headers: the upstream request is cancelled and the record says aborted', async () => {
    const before = capture.completed.length;
    const client = http.get(`${patient.url}/stall-before-headers`);
    client.on('error', () => undefined);
    await misbehaving.arrived('/stall-before-headers');
    client.destroy();
    // Resolves only if the proxy closes its upstream connection; the proxy's own timeout is two minutes away.
    await misbehaving.connectionClosed('/stall-before-headers');
    const [completed] = (await capture.waitFor(before + 1)).slice(before);
    expect(completed?.aborted).toBe(true);
    expect(completed?.request.url).toBe('/stall-before-headers');
  });

  it('in the middle of the body: the upstream transfer is cancelled and the record says aborted', async () => {
    const before = capture.completed.length;
    const response = await request(`${patient.url}/stall-mid-body`);
    expect(response.statusCode).toBe(200);
    await misbehaving.arrived('/stall-mid-body', 2);
    response.body.destroy();
    await misbehaving.connectionClosed('/stall-mid-body');
    const [completed] = (await capture.waitFor(before + 1)).slice(before);
    expect(completed?.aborted).toBe(true);
  });
});

describe('retries', () => {
  it('passes an upstream error response through untouched', async () => {
    const response = await request(`${patient.url}/upstream-error`);
    expect(response.statusCode).toBe(502);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-upstream']).toBe('kept');
    expect(await response.body.text()).toBe('{"errorResponseEntries":[{"message":"upstream says no"}]}');
  });

  it('does not retry a GET answered 503: the upstream sees it once', async () => {
    const before = misbehaving.arrivals('/unavailable');
    const response = await request(`${patient.url}/unavailable`);
    expect(response.statusCode).toBe(503);
    expect(await response.body.text()).toBe('updating');
    expect(misbehaving.arrivals('/unavailable') - before).toBe(1);
  });

  it('reports both upstream calls of a retried GET to the features, each ended before the exchange completes', async () => {
    // The parallel limit counts what Ons counts through these reports.
    const calls = new Map<string, { started: number; ended: number; endedAtCompletion?: number }>();
    const instance = await startInstance(configFor(demo, { upstream: misbehaving.url }), {
      logger: createConsoleLogger('silent'),
      extraFeatures: [
        {
          name: 'call-counter',
          phase: 'observe',
          onUpstreamCall(request) {
            const entry = calls.get(request.id) ?? { started: 0, ended: 0 };
            calls.set(request.id, entry);
            entry.started++;
            return () => {
              entry.ended++;
            };
          },
          onExchangeComplete({ request }) {
            const entry = calls.get(request.id);
            if (entry) entry.endedAtCompletion = entry.ended;
          },
        },
      ],
    });
    extra.push(instance);
    await (await request(`${instance.url}/idle-close`)).body.text();
    const second = await request(`${instance.url}/idle-close`);
    await second.body.text();
    const [first, retried] = [...calls.values()];
    expect(calls.has(String(second.headers['x-request-id']))).toBe(true);
    expect(first).toMatchObject({ started: 1, ended: 1, endedAtCompletion: 1 });
    expect(retried).toMatchObject({ started: 2, ended: 2, endedAtCompletion: 2 });
  });

  it('retries a GET once on a fresh connection when the pooled one turns out closed', async () => {
    const instance = await freshProxy();
    const first = await request(`${instance.url}/idle-close`);
    expect(first.statusCode).toBe(200);
    await first.body.text();
    const before = misbehaving.arrivals('/idle-close');
    const second = await request(`${instance.url}/idle-close`);
    expect(second.statusCode).toBe(200);
    expect(await second.body.text()).toBe('fresh connection');
    // One arrival killed on the stale connection, one served on a new one.
    expect(misbehaving.arrivals('/idle-close') - before).toBe(2);
  });

  it('never retries a POST with a body: the stale connection gives a 502 and the upstream saw it once', async () => {
    const instance = await freshProxy();
    const first = await request(`${instance.url}/idle-close`, { method: 'POST', body: 'one' });
    expect(first.statusCode).toBe(200);
    await first.body.text();
    const before = misbehaving.arrivals('/idle-close');
    const second = await request(`${instance.url}/idle-close`, { method: 'POST', body: 'two' });
    expect(second.statusCode).toBe(502);
    expect(((await second.body.json()) as { code: string }).code).toBe('upstream_connection_reset');
    expect(misbehaving.arrivals('/idle-close') - before).toBe(1);
  });
});
