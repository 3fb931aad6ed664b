// The answer checks against a model's fields, at unit level: the walk that finds fields the
// model does not have (drift) and model fields no item carries, through arrays, allOf and
// $refs, and the answer schema picked per status and Content-Type of each answer.
import { describe, expect, it } from 'vitest';
import { OperationChecks, type CheckedMessage } from '../../src/openapi/checks.js';
import { parseDocument } from '../../src/openapi/document.js';
import { indexOperations, type ApiOperation } from '../../src/openapi/operations.js';

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown): unknown => ({ 'application/json': { schema } });

const document = parseDocument(
  JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'Fields', version: '1' },
    paths: {
      '/clients': {
        get: {
          operationId: 'ClientAPI.list',
          responses: {
            '200': { description: 'OK', content: { ...(json({ type: 'array', items: ref('administration.Client') }) as object), 'application/x-ndjson': { schema: ref('administration.Client') } } },
            '4XX': { description: 'Error', content: json(ref('common.Error')) },
          },
        },
      },
      '/open': { get: { operationId: 'OpenAPI.get', responses: { '200': { description: 'OK', content: json(ref('open.Thing')) } } } },
    },
    components: {
      schemas: {
        'common.Base': { type: 'object', properties: { id: { type: 'integer' } } },
        'administration.Client': {
          allOf: [ref('common.Base'), { type: 'object', properties: { name: { type: 'string' }, address: ref('administration.Address'), tags: { type: 'array', items: { type: 'array', items: ref('administration.Tag') } } } }],
        },
        'administration.Address': { type: 'object', properties: { city: { type: 'string' } } },
        'administration.Tag': { type: 'object', properties: { label: { type: 'string' } } },
        'common.Error': { type: 'object', properties: { message: { type: 'string' } } },
        'open.Thing': { type: 'object', additionalProperties: true, properties: { known: { type: 'string' } } },
      },
    },
  }),
  'fields',
);
const operations = indexOperations(document).operations;
const byId = (id: string): ApiOperation => {
  const found = operations.find((operation) => operation.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

const NO_BODY: CheckedMessage = { headers: {}, bodyBytes: 0, bodyTruncated: false, bodyEncoding: 'text', body: '' };
function answer(body: unknown, type = 'application/json'): CheckedMessage {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { headers: { 'content-type': type }, body, bodyBytes: Buffer.byteLength(text), bodyTruncated: false, bodyEncoding: typeof body === 'string' ? 'text' : 'json' };
}
function check(checks: OperationChecks, id: string, status: number, response: CheckedMessage) {
  return checks.exchange(byId(id), {}, new URLSearchParams(), { request: NO_BODY, response, status });
}

describe('fields the model does not have', () => {
  it('walks allOf parts, $refs and arrays of arrays, naming each place and model', () => {
    const checks = new OperationChecks(document, { noteAbsentFields: false });
    const body = [{ id: 1, name: 'A', extra: 1, address: { city: 'X', zip: '1' }, tags: [[{ label: 'a', colour: 'red' }]] }, { id: 2, name: 'B', other: true }];
    expect(check(checks, 'ClientAPI.list', 200, answer(body)).findings).toEqual([
      { where: 'response.body[].extra', message: 'not in the model administration.Client (the document and the API differ)' },
      { where: 'response.body[].address.zip', message: 'not in the model administration.Address (the document and the API differ)' },
      { where: 'response.body[].tags[][].colour', message: 'not in the model administration.Tag (the document and the API differ)' },
      { where: 'response.body[].other', message: 'not in the model administration.Client (the document and the API differ)' },
    ]);
  });

  it('says nothing of a model that allows other fields, nor of an answer that fits', () => {
    const checks = new OperationChecks(document, { noteAbsentFields: false });
    expect(check(checks, 'OpenAPI.get', 200, answer({ known: 'k', anything: 1 })).findings).toEqual([]);
    expect(check(checks, 'ClientAPI.list', 200, answer([{ id: 1, name: 'A', address: { city: 'X' }, tags: [] }])).findings).toEqual([]);
  });

  it('checks each answer against the schema of its own status and Content-Type', () => {
    const checks = new OperationChecks(document, { noteAbsentFields: false });
    // The same operation and status, first as JSON (a list), then as x-ndjson (one client a line).
    expect(check(checks, 'ClientAPI.list', 200, answer([{ id: 1, stray: 1 }])).findings).toEqual([{ where: 'response.body[].stray', message: 'not in the model administration.Client (the document and the API differ)' }]);
    expect(check(checks, 'ClientAPI.list', 200, answer('{"id":1,"stray":1}\n{"id":"two"}\n', 'application/x-ndjson')).findings).toEqual([
      { where: 'response.body line 1.stray', message: 'not in the model administration.Client (the document and the API differ)' },
      { where: 'response.body line 2.id', message: 'must be integer' },
    ]);
    expect(check(checks, 'ClientAPI.list', 404, answer({ message: 'gone', code: 7 })).findings).toEqual([{ where: 'response.body.code', message: 'not in the model common.Error (the document and the API differ)' }]);
    // Asked again, the kept lookups give the same answers.
    expect(check(checks, 'ClientAPI.list', 200, answer([{ id: 1, stray: 1 }])).findings).toHaveLength(1);
    expect(check(checks, 'ClientAPI.list', 500, answer({ message: 'x' })).findings).toEqual([]);
  });
});

describe('model fields absent from an answer', () => {
  it('names the fields, of allOf parts too, that no item carries', () => {
    const checks = new OperationChecks(document, { noteAbsentFields: true });
    expect(check(checks, 'ClientAPI.list', 200, answer([{ id: 1, name: 'A' }, { id: 2 }])).findings).toEqual([
      { where: 'response.body', message: '2 of 4 fields of the model administration.Client are absent (address, tags): they may be filtered by your Technical Design' },
    ]);
  });
});
