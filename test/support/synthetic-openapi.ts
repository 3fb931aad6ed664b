// A document the size and shape of Ons's (~926 operations, ~790 schemas, ~3 MB), generated,
// for checking start-up and matching cost by hand and for the benchmark's row with a document.
// Deterministic: the same options give the same document.

export interface SyntheticOptions {
  readonly operations?: number;
  readonly schemas?: number;
}

const VERBS = ['get', 'put', 'post', 'delete'] as const;
const WORDS = ['clients', 'employees', 'teams', 'locations', 'care_orders', 'reports', 'notes', 'addresses', 'contracts', 'expenses', 'surveys', 'goals', 'actions', 'demands', 'domains', 'documents', 'referrals', 'products', 'debtors', 'insurances'];
const FILLER = 'Returns the entries the connection may see, in the order Ons keeps them; fields the Technical Design does not select are left out. ';

export function syntheticOnsDocument(options: SyntheticOptions = {}): Record<string, unknown> {
  const operationCount = options.operations ?? 926;
  const schemaCount = options.schemas ?? 790;
  const schemaNames = Array.from({ length: schemaCount }, (_, i) => (i % 2 === 0 ? `module${i % 37}.Entity${i}` : `module${i % 37}.list.Entity${i - 1}List`));
  const schemas: Record<string, unknown> = {};
  schemaNames.forEach((name, i) => {
    if (name.includes('.list.')) {
      schemas[name] = { type: 'array', items: { $ref: `#/components/schemas/${schemaNames[i - 1]}` } };
      return;
    }
    const properties: Record<string, unknown> = { id: { type: 'integer', format: 'int64', 'x-cupido-id': true } };
    for (let p = 0; p < 22; p++) {
      const kind = p % 6;
      properties[`field${p}Of${i}`] =
        kind === 0 ? { type: 'string', description: FILLER } :
        kind === 1 ? { type: 'integer', format: 'int32', description: FILLER } :
        kind === 2 ? { type: 'string', format: 'date', nullable: true, description: FILLER } :
        kind === 3 ? { type: 'boolean', description: FILLER } :
        kind === 4 ? { type: 'string', enum: ['A', 'B', 'C'], description: FILLER } :
        // Nested models a few levels deep, never a cycle: Ons's models nest like that (Client, Address, ...).
        nestedRef(i, p, schemaNames);
    }
    schemas[name] = { type: 'object', properties, example: { id: i } };
  });
  const paths: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < operationCount; i++) {
    // Two operations per template, each template unique: word, shape and a number from its index.
    const t = Math.floor(i / 2);
    const resource = `${WORDS[t % WORDS.length]}${Math.floor(t / (WORDS.length * 5))}`;
    const shape = Math.floor(t / WORDS.length) % 5;
    const template =
      shape === 0 ? `/v0/administration/${resource}` :
      shape === 1 ? `/v0/administration/${resource}/{id}` :
      shape === 2 ? `/v0/administration/${resource}/by_client/{client_id}` :
      shape === 3 ? `/v0/administration/${resource}/{id}/children` :
      `/v0/administration/${resource}/search`;
    const method = i % 2 === 0 ? 'get' : (VERBS[1 + (t % 3)] ?? 'put');
    const schema = schemaNames[(i * 2) % schemaCount] ?? schemaNames[0];
    const parameters = [...template.matchAll(/\{(\w+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'integer', format: 'int64' }, description: 'id' }));
    if (shape === 4) parameters.push({ name: 'from_date', in: 'query', required: true, schema: { type: 'string', format: 'date' }, description: 'from' });
    const tag = `${resource[0]?.toUpperCase()}${resource.slice(1)}`;
    (paths[template] ??= {})[method] = {
      tags: [tag],
      summary: `${method} ${resource} (${shape})`,
      description: FILLER.repeat(2),
      operationId: `${tag}API.${method}${shape}`,
      parameters,
      ...(method === 'post' || method === 'put' ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } } } : {}),
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } }, '404': { description: 'Not found' } },
      'x-replacement-for': [template.replace('/v0/administration/', '/t/')],
      ...(i % 28 === 0 ? { deprecated: true, 'x-deprecated-since': '19-11-2025' } : {}),
    };
  }
  return { openapi: '3.0.3', info: { title: 'Synthetic Ons-sized document', version: '0.0.0' }, servers: [{ url: 'https://api-development.ons.io' }], paths, components: { schemas } };
}

function nestedRef(i: number, p: number, names: readonly string[]): Record<string, unknown> {
  // Entities are the even indexes; each refers only to later entities of its own block of 10.
  const target = i + 2 * (1 + (p % 3));
  if (Math.floor(target / 10) !== Math.floor(i / 10) || names[target] === undefined) return { type: 'string', description: FILLER };
  return { $ref: `#/components/schemas/${names[target]}` };
}
