// Schemas the validator cannot use: a check that cannot run says so on the record
// (notChecked, with the reason) and once per operation at debug, instead of finding nothing.
// A $ref chain thousands deep, which ran ajv out of stack, is checked.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../support/harness.js';
import { exchange, proxyWithDocument, type ProxyWithConsole } from './helpers.js';

const CHAIN_LENGTH = 4000;
const NESTING_DEPTH = 20_000;

/** Written as text: JSON.stringify itself runs out of stack on the nesting. */
function pathologicalDocument(): string {
  const chain = Array.from({ length: CHAIN_LENGTH }, (_, i) => `"chain.Link${i}":${i + 1 < CHAIN_LENGTH ? `{"$ref":"#/components/schemas/chain.Link${i + 1}"}` : '{"type":"object","required":["chainEnd"]}'}`);
  const nested = `${'{"type":"object","properties":{"inner":'.repeat(NESTING_DEPTH)}{"type":"string"}${'}}'.repeat(NESTING_DEPTH)}`;
  const answer = (schema: string): string => `{"200":{"description":"OK","content":{"application/json":{"schema":${schema}}}}}`;
  const id = '{"name":"id","in":"path","required":true,"schema":{"type":"integer","format":"int64"}}';
  return `{"openapi":"3.0.3","info":{"title":"Pathological","version":"1"},"paths":{
    "/v0/administration/clients/{id}":{"get":{"operationId":"ClientAPI.byId","parameters":[${id}],"responses":${answer('{"$ref":"#/components/schemas/chain.Link0"}')}}},
    "/v0/administration/employees":{"get":{"operationId":"EmployeeAPI.list","responses":${answer('{"$ref":"#/components/schemas/broken.Pattern"}')}}},
    "/v0/administration/employees/{id}":{"get":{"operationId":"EmployeeAPI.byId","parameters":[${id}],"responses":${answer('{"$ref":"#/components/schemas/deep.Nesting"}')}}}
  },"components":{"schemas":{${chain.join(',')},"broken.Pattern":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string","pattern":"(unclosed"}}}},"deep.Nesting":${nested}}}}`;
}

let folder: string;
let upstream: Upstream;
let proxy: ProxyWithConsole;

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-unusable-'));
  const file = path.join(folder, 'pathological.json');
  await writeFile(file, pathologicalDocument());
  upstream = await startUpstream();
  proxy = await proxyWithDocument(upstream, { openapi: file, logLevel: 'debug' });
});
afterAll(async () => {
  await proxy?.proxy.close();
  await upstream?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('a check that cannot run says so', () => {
  it('checks an answer through a $ref chain thousands deep', async () => {
    const { status, record } = await exchange(proxy.proxy, '/v0/administration/clients/3');
    expect(status).toBe(200);
    expect(record.findings).toContainEqual({ where: 'response.body.chainEnd', message: 'required field is missing' });
    expect(record.notChecked).toBeUndefined();
  });

  it('notes a schema the validator cannot compile, on every record, and once at debug', async () => {
    const first = await exchange(proxy.proxy, '/v0/administration/employees');
    const second = await exchange(proxy.proxy, '/v0/administration/employees');
    for (const { status, record } of [first, second]) {
      expect(status).toBe(200);
      expect(record.operation?.id).toBe('EmployeeAPI.list');
      // Fields the model does not name are still found: that walk is the proxy's own, not the validator's.
      expect(record.findings).toContainEqual({ where: 'response.body[].email', message: 'not in the model (the document and the API differ)' });
      expect(record.notChecked).toEqual([{ where: 'response.body', message: expect.stringMatching(/^not checked against the schema: the validator cannot compile the schema: .*(unclosed|Invalid regular expression)/) }]);
    }
    const debugLines = proxy.lines().filter((line) => line.level === 20 && String(line.msg).startsWith('EmployeeAPI.list:'));
    expect(debugLines).toHaveLength(1);
  });

  it('notes a model nested too deeply to compile without holding up the exchanges (it would run the validator out of stack)', async () => {
    const { status, record } = await exchange(proxy.proxy, '/v0/administration/employees/101');
    expect(status).toBe(200);
    expect(record.notChecked).toEqual([
      { where: 'response.body', message: 'not checked against the schema: too large to check: the model deep.Nesting holds more than 1000 schema objects, and compiling it would hold up every exchange' },
    ]);
  });
});
