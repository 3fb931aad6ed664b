// HAR 1.2 as the har-schema package describes it (the schema HTTP clients such as the
// request library validated against), checked with ajv.
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const require = createRequire(import.meta.url);
const schemas = require('har-schema') as Record<string, { $id: string }>;
const draft06 = require('ajv/dist/refs/json-schema-draft-06.json') as object;

// har-schema uses draft-06 and a few keywords of its own ("optional", "min"): allowed, not enforced.
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
ajv.addMetaSchema(draft06);
for (const schema of Object.values(schemas)) ajv.addSchema(schema);
const validate = ajv.getSchema('har.json#');
if (!validate) throw new Error('har-schema did not load');

export function validateHar(har: unknown): void {
  if (!validate?.(har)) throw new Error(`not valid HAR 1.2: ${ajv.errorsText(validate?.errors)}`);
}
