// The answer-source seam: a mock answer goes out through fastify's reply.send, so a feature's
// preHandler can refuse the request before any source is asked and its onSend hook can change
// the answer on its way out (what the Technical Design's block and field filter do), the same
// as for a forwarded answer.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { createConsoleLogger } from '../../src/log/logger.js';
import { mockAnswerSource } from '../../src/mock/index.js';
import { loadDocumentFile } from '../../src/openapi/index.js';
import type { ProxyFeature } from '../../src/proxy/feature.js';
import { call } from './helpers.js';

const DEMO_DOCUMENT = fileURLToPath(new URL('../../config/demo-openapi.json', import.meta.url));

/** Stands in for the Technical Design: blocks employees, and removes `birthDate` from every answer. */
const designLike: ProxyFeature = {
  name: 'design-like',
  // Extra features come last; its root hooks still run before the answer sources' scoped preHandler.
  phase: 'observe',
  register(app) {
    app.addHook('preHandler', (request, reply, done) => {
      if (!request.url.startsWith('/v0/administration/employees')) return done();
      void reply.code(403).header('content-type', 'application/json').send('{"errorResponseEntries":[{"field":"","value":"","message":"blocked"}]}');
    });
    app.addHook('onSend', (_request, _reply, payload, done) => {
      if (typeof payload !== 'string' || !payload.includes('birthDate')) return done(null, payload);
      const value = JSON.parse(payload) as Record<string, unknown>;
      delete value.birthDate;
      done(null, JSON.stringify(value));
    });
  },
};

let dir: string;
let instance: RunningInstance;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-mock-seam-'));
  const [config] = loadConfig({ flags: { port: '0', 'log-dir': path.join(dir, 'logs') }, env: {}, cwd: dir });
  if (!config) throw new Error('no configuration');
  const api = loadDocumentFile(DEMO_DOCUMENT);
  instance = await startInstance(config, {
    logger: createConsoleLogger('error', new PassThrough()),
    api,
    answers: [mockAnswerSource(api, { seed: 1, validate: 'strict' })],
    withoutUpstream: { limitKey: 'seam-test', answeredBy: 'mock of the demo document' },
    extraFeatures: [designLike],
  });
});
afterAll(async () => {
  await instance?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('answers from a source pass the same hooks as forwarded ones', () => {
  it('a preHandler refuses before the mock is asked, an onSend hook filters what the mock answered', async () => {
    const blocked = await call(instance.url, '/v0/administration/employees/3');
    expect(blocked.status).toBe(403);
    expect(blocked.headers['x-ons-proxy-mock']).toBeUndefined();

    const client = await call(instance.url, '/v0/administration/clients/5');
    expect(client.status).toBe(200);
    expect(client.headers['x-ons-proxy-mock']).toBe('ClientAPI.byId');
    const value = JSON.parse(client.text) as Record<string, unknown>;
    expect(value).toMatchObject({ id: 5, gender: 'V' });
    expect(value).not.toHaveProperty('birthDate');
  });
});
