// Waiting for an exchange's record in the traffic file (the file sink writes in batches).
import { setTimeout as delay } from 'node:timers/promises';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { allRecords, assertValidRecord } from '../support/records.js';

export async function recordOf(logDir: string, id: string | string[] | null | undefined): Promise<TrafficRecord> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = (await allRecords(logDir).catch(() => [])).find((record) => record.id === id);
    if (found) {
      assertValidRecord(found);
      return found;
    }
    await delay(50);
  }
  throw new Error(`no record of exchange ${String(id)} in ${logDir}`);
}
