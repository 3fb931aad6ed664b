// Every operation of an Ons-sized document and of the demo's document: a concrete call built
// from its template reaches that operation over a real socket, and the answer fits the
// operation's own answer schema, checked with the project's ajv validators. Failures are
// counted and listed, so one run shows all of them.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lowest2xx, loadDocumentFile, operationResponses, pickContent, type ApiIndex } from '../../src/openapi/index.js';
import { SchemaValidators } from '../../src/openapi/validators.js';
import { syntheticOnsDocument } from '../support/synthetic-openapi.js';
import { call, concreteCall, startMock, writeDocument } from './helpers.js';

const DEMO_DOCUMENT = fileURLToPath(new URL('../../config/demo-openapi.json', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-mock-every-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Calls every operation of the document at `file` on a mock of it; returns what went wrong, one line per operation. */
async function failuresOf(file: string): Promise<{ checked: number; failures: string[] }> {
  const api: ApiIndex = loadDocumentFile(file);
  const validators = new SchemaValidators(api.document);
  const mock = await startMock(dir, ['--openapi', file]);
  const failures: string[] = [];
  try {
    for (const operation of api.operations) {
      const concrete = concreteCall(api, operation);
      const answer = await call(mock.url, concrete.target, { method: concrete.method, body: concrete.body });
      const where = `${operation.method} ${concrete.target} (${operation.id})`;
      const expected = lowest2xx(operationResponses(api.document, operation));
      if (answer.headers['x-ons-proxy-mock'] !== operation.id) {
        failures.push(`${where}: answered as ${String(answer.headers['x-ons-proxy-mock'])}`);
        continue;
      }
      if (answer.status !== (expected?.status ?? 204)) {
        failures.push(`${where}: status ${answer.status}: ${answer.text.slice(0, 300)}`);
        continue;
      }
      const content = expected ? pickContent(expected, 'application/json') : undefined;
      if (!content?.schemaPointer) {
        if (answer.text !== '') failures.push(`${where}: a body where the document declares none`);
        continue;
      }
      if (answer.text === '') {
        failures.push(`${where}: an empty body`);
        continue;
      }
      const values = content.ndjson ? answer.text.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown) : [content.media.includes('json') ? (JSON.parse(answer.text) as unknown) : answer.text];
      for (const value of values) {
        const validation = validators.validate(content.schemaPointer, value);
        if ('unchecked' in validation) failures.push(`${where}: not checkable: ${validation.unchecked}`);
        else if (validation.problems.length > 0) failures.push(`${where}: ${validation.problems.map((p) => `${p.instancePath} ${p.message}`).join('; ')}`);
      }
    }
  } finally {
    await mock.stop();
  }
  return { checked: api.operations.length, failures };
}

describe('ons-proxy mock answers every operation with a body that fits its schema', () => {
  it('on an Ons-sized document (926 operations, 790 models)', async () => {
    const file = await writeDocument(dir, 'synthetic.json', syntheticOnsDocument());
    const { checked, failures } = await failuresOf(file);
    expect(checked).toBe(926);
    expect(failures).toEqual([]);
  }, 180_000);

  it("on the demo's document (NDJSON, a text answer, [] query names, literal and parameter segments side by side)", async () => {
    const { checked, failures } = await failuresOf(DEMO_DOCUMENT);
    expect(checked).toBe(11);
    expect(failures).toEqual([]);
  });
});
