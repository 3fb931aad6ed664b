import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { TrafficRecordSchema, readRecords, type TrafficRecord } from '../../src/traffic/index.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const ajv = addFormats(new Ajv({ allErrors: true, strict: true }));
const validate = ajv.compile(TrafficRecordSchema);

/** Fails with ajv's own words when a record does not match the published schema. */
export function assertValidRecord(record: unknown): asserts record is TrafficRecord {
  if (!validate(record)) throw new Error(`record does not match the schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(record).slice(0, 2000)}`);
}

export async function allRecords(logDir: string): Promise<TrafficRecord[]> {
  const records: TrafficRecord[] = [];
  for await (const record of readRecords({ logDir })) records.push(record);
  return records;
}

export function byId(records: readonly TrafficRecord[], id: string | string[] | undefined): TrafficRecord {
  const record = records.find((r) => r.id === id);
  if (!record) throw new Error(`no record with id ${String(id)} among ${records.length}`);
  return record;
}
