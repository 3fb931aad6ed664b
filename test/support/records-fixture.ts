import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { localDay, trafficFileName, type TrafficRecord } from '../../src/traffic/index.js';
import { assertValidRecord } from './records.js';

interface FixtureOptions {
  readonly method?: string;
  readonly url?: string;
  readonly status?: number;
  readonly minutesAgo?: number;
  readonly profile?: string;
  readonly responseBody?: unknown;
}

/** A record as the proxy writes it, checked against the schema so fixtures cannot drift from it. */
export function fixtureRecord(options: FixtureOptions = {}): TrafficRecord {
  const url = options.url ?? '/t/clients/1';
  const record: TrafficRecord = {
    id: randomUUID(),
    time: new Date(Date.now() - (options.minutesAgo ?? 1) * 60_000).toISOString(),
    durationMs: 12.5,
    method: options.method ?? 'GET',
    url,
    upstreamUrl: `https://api-development.ons.io${url}`,
    status: options.status ?? 200,
    profile: options.profile ?? 'default',
    queuedMs: 0,
    request: { headers: { host: 'localhost:8080', accept: 'application/json' }, body: '', bodyBytes: 0, bodyTruncated: false, bodyEncoding: 'text' },
    response: {
      headers: { 'content-type': 'application/json', 'x-request-id': 'x' },
      body: options.responseBody ?? { ok: true },
      bodyBytes: 11,
      bodyTruncated: false,
      bodyEncoding: 'json',
    },
  };
  record.response.headers['x-request-id'] = record.id;
  assertValidRecord(record);
  return record;
}

/** Appends records to the day file of their start time, as the proxy would. */
export async function writeRecords(logDir: string, records: readonly TrafficRecord[]): Promise<void> {
  await mkdir(logDir, { recursive: true });
  for (const record of records) {
    await appendFile(path.join(logDir, trafficFileName(localDay(new Date(record.time)))), `${JSON.stringify(record)}\n`);
  }
}
