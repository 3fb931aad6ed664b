// The API document as openapi-sampler sees it. openapi-sampler answers a model that has an
// `example` with that example alone; Ons's models carry partial ones ({ "id": 1 }), and a
// developer should see the whole model. So a model's example is handed down to its fields
// (each field's value becomes that field's example) and every field is generated. Models
// are rewritten on first use only: a 3 MB document costs nothing until an operation is asked.
import { isObject, type OpenApiDocument, type SchemaObject } from '../openapi/index.js';

export type ExampleUse = 'use-examples' | 'ignore-examples';

const SUBSCHEMA_LISTS = ['allOf', 'oneOf', 'anyOf'] as const;
const SUBSCHEMA_KEYS = ['items', 'additionalProperties', 'not'] as const;

/** A view of `document` whose component models are rewritten for sampling, lazily. */
export function samplingDocument(document: OpenApiDocument, use: ExampleUse): Record<string, unknown> {
  const schemas = document.components?.schemas ?? {};
  const rewritten = new Map<string, unknown>();
  const lazySchemas = new Proxy(
    {},
    {
      has: (_target, name) => typeof name === 'string' && Object.hasOwn(schemas, name),
      get: (_target, name) => {
        if (typeof name !== 'string' || !Object.hasOwn(schemas, name)) return undefined;
        let schema = rewritten.get(name);
        if (schema === undefined) rewritten.set(name, (schema = forSampling(schemas[name], use)));
        return schema;
      },
    },
  );
  return { ...document, components: { ...document.components, schemas: lazySchemas } };
}

/** A copy of `schema` ready for openapi-sampler: examples handed down to fields, or left out. */
export function forSampling(schema: unknown, use: ExampleUse): unknown {
  if (Array.isArray(schema)) return schema.map((entry) => forSampling(entry, use));
  if (!isObject(schema)) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && isObject(value)) copy.properties = Object.fromEntries(Object.entries(value).map(([name, field]) => [name, forSampling(field, use)]));
    else if ((SUBSCHEMA_LISTS as readonly string[]).includes(key) || (SUBSCHEMA_KEYS as readonly string[]).includes(key)) copy[key] = forSampling(value, use);
    else copy[key] = value;
  }
  if (use === 'ignore-examples') {
    delete copy.example;
    delete copy.examples;
    return copy;
  }
  const example = copy.example;
  const composite = isObject(copy.properties) || Array.isArray(copy.allOf) || copy.type === 'array' || isObject(copy.items);
  if (example !== undefined && composite) {
    delete copy.example;
    if (isObject(example) && isObject(copy.properties)) {
      const properties: Record<string, unknown> = { ...copy.properties };
      for (const [name, value] of Object.entries(example)) {
        const field = properties[name];
        // Only plain values: a partial object or list would leave the fields below it unfilled.
        if (isObject(field) && value !== null && typeof value !== 'object') properties[name] = withExample(field, value);
      }
      copy.properties = properties;
    }
  }
  return copy;
}

/** The field with `value` as its example; a $ref is wrapped, as openapi-sampler follows a $ref before it looks at an example. */
function withExample(field: SchemaObject, value: unknown): SchemaObject {
  if (typeof field.$ref === 'string') return { allOf: [field], example: value };
  return { ...field, example: value };
}
