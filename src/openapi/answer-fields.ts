// The answer's fields against its model's: fields the model does not name (the document and
// the API drifted apart) and model fields no item carries (on staging and production, fields
// a Technical Design did not select). Each model's field list is worked out once per schema
// and kept: the document never changes, and an answer is walked on every exchange.
import { isObject, type SchemaObject } from './document.js';
import type { Finding } from './checks.js';

const MAX_DEPTH = 6;
/** Items of an array walked, in an answer and in an x-ndjson stream. */
export const MAX_ITEMS_WALKED = 100;

/** A schema as the walk needs it: its fields, or its items, and the name findings give it. */
interface FieldModel {
  /** The fields of an object model (allOf merged); undefined when it lists none or allows others (additionalProperties). */
  readonly properties: Readonly<Record<string, unknown>> | undefined;
  /** Every field it names, also when it allows others: for the absent-fields note. */
  readonly named: Readonly<Record<string, unknown>> | undefined;
  /** The model of an array's items. */
  readonly items: SchemaObject | undefined;
  /** " administration.Client" for a $ref, "" for an inline schema. */
  readonly name: string;
}

const NOTHING: FieldModel = { properties: undefined, named: undefined, items: undefined, name: '' };

export class AnswerFields {
  readonly #resolve: (schema: SchemaObject | undefined) => SchemaObject | undefined;
  readonly #models = new WeakMap<SchemaObject, FieldModel>();
  readonly #merged = new WeakMap<SchemaObject, Readonly<Record<string, unknown>> | null>();

  /** `resolve` follows a schema's $ref chain to the schema it names. */
  constructor(resolve: (schema: SchemaObject | undefined) => SchemaObject | undefined) {
    this.#resolve = resolve;
  }

  /** Adds to `findings` the fields of `value` (and of the objects in it, a few levels deep) that `schema`'s models do not have. */
  drift(where: string, value: unknown, schema: SchemaObject, findings: Finding[]): void {
    // The path below `where` as segments, joined only for a finding: most answers have none.
    const path: string[] = [];
    const walk = (node: unknown, model: SchemaObject, depth: number): void => {
      if (depth > MAX_DEPTH) return;
      const fields = this.#model(model);
      if (Array.isArray(node)) {
        if (!fields.items) return;
        path.push('[]');
        const end = Math.min(node.length, MAX_ITEMS_WALKED);
        for (let i = 0; i < end; i++) walk(node[i], fields.items, depth + 1);
        path.pop();
        return;
      }
      const properties = fields.properties;
      if (!properties || !isObject(node)) return;
      for (const key in node) {
        const inner = properties[key];
        if (inner === undefined) {
          findings.push({ where: `${where}${path.join('')}.${key}`, message: `not in the model${fields.name} (the document and the API differ)` });
        } else if (isObject(inner)) {
          path.push(`.${key}`);
          walk(node[key], inner, depth + 1);
          path.pop();
        }
      }
    };
    walk(value, schema, 0);
  }

  /** The note on model fields no item of the answer carries, if any. */
  absent(where: string, values: readonly unknown[], schema: SchemaObject): Finding | undefined {
    let fields = this.#model(schema);
    let items = values;
    let model = schema;
    if (values.length === 1 && Array.isArray(values[0]) && fields.items) {
      model = fields.items;
      fields = this.#model(fields.items);
      items = values[0].slice(0, MAX_ITEMS_WALKED);
    }
    const named = fields.named;
    const objects = items.filter(isObject);
    if (!named || objects.length === 0) return undefined;
    const absent = Object.keys(named).filter((name) => objects.every((item) => !(name in item)));
    if (absent.length === 0) return undefined;
    return {
      where,
      message: `${absent.length} of ${Object.keys(named).length} fields of the model${this.#model(model).name} are absent (${absent.slice(0, 8).join(', ')}${absent.length > 8 ? ', ...' : ''}): they may be filtered by your Technical Design`,
    };
  }

  #model(schema: SchemaObject): FieldModel {
    const known = this.#models.get(schema);
    if (known) return known;
    const resolved = this.#resolve(schema);
    let model = NOTHING;
    if (resolved) {
      const named = this.#properties(resolved);
      model = {
        named,
        properties: resolved.additionalProperties === undefined ? named : undefined,
        items: isObject(resolved.items) ? resolved.items : undefined,
        name: typeof schema.$ref === 'string' ? ` ${schema.$ref.split('/').pop() ?? ''}` : '',
      };
    }
    this.#models.set(schema, model);
    return model;
  }

  /** A model's own fields with those of its allOf parts; undefined when a part's fields cannot be known. */
  #properties(schema: SchemaObject): Readonly<Record<string, unknown>> | undefined {
    const known = this.#merged.get(schema);
    if (known !== undefined) return known ?? undefined;
    const own = isObject(schema.properties) ? schema.properties : undefined;
    let merged: Record<string, unknown> | undefined = own;
    if (Array.isArray(schema.allOf)) {
      merged = { ...own };
      for (const part of schema.allOf) {
        const resolved = isObject(part) ? this.#resolve(part) : undefined;
        const inner = resolved ? this.#properties(resolved) : undefined;
        if (inner === undefined) {
          merged = undefined;
          break;
        }
        Object.assign(merged, inner);
      }
    }
    this.#merged.set(schema, merged ?? null);
    return merged;
  }
}
