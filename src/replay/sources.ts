// Where `replay` and `fixtures save` take exchanges from: a fixture set, a traffic log
// folder, or a HAR file, all turned into fixtures the same way.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../config/errors.js';
import { SkippedLines } from '../traffic/line-reader.js';
import { listTrafficFiles, readRecords } from '../traffic/reader.js';
import type { TrafficRecord } from '../traffic/record.js';
import { fixtureFromHarEntry, fixtureFromRecord, type Conversion, type Fixture, type Unsaveable } from './fixture.js';
import { INDEX_FILE, fixtureName, readFixtureSet } from './fixture-set.js';
import { readHarFile } from './har-input.js';
import type { NamedFixture } from './matcher.js';

export interface ConvertedExchanges {
  readonly fixtures: Fixture[];
  readonly unsaveable: Unsaveable[];
  /** Lines or entries that were not exchanges at all, said once (see SkippedLines). */
  readonly skippedNote?: string | undefined;
}

export function collect(conversions: Iterable<Conversion>): ConvertedExchanges {
  const converted: ConvertedExchanges = { fixtures: [], unsaveable: [] };
  for (const conversion of conversions) {
    if ('fixture' in conversion) converted.fixtures.push(conversion.fixture);
    else converted.unsaveable.push(conversion.unsaveable);
  }
  return converted;
}

export async function fixturesFromHar(file: string): Promise<ConvertedExchanges> {
  const { inputs, skippedNote } = await readHarFile(file);
  return { ...collect(inputs.map(({ entry, digest }) => fixtureFromHarEntry(entry, digest))), skippedNote };
}

export async function fixturesFromRecords(records: AsyncIterable<TrafficRecord>): Promise<ConvertedExchanges> {
  const conversions: Conversion[] = [];
  for await (const record of records) conversions.push(fixtureFromRecord(record));
  return collect(conversions);
}

export interface ReplaySource {
  readonly kind: 'fixture set' | 'traffic log folder' | 'HAR file';
  readonly fixtures: readonly NamedFixture[];
  /** Exchanges of a log folder or HAR that cannot be served (cut bodies, no answer). */
  readonly unsaveable: readonly Unsaveable[];
  /** Lines of a log folder, or entries of a HAR, that were not exchanges. */
  readonly skippedNote?: string | undefined;
}

/** Reads what `ons-proxy replay <source>` was pointed at. */
export async function readReplaySource(source: string): Promise<ReplaySource> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(source)).isDirectory();
  } catch {
    throw new UserError(`${source} does not exist: give replay a fixture folder (from "ons-proxy fixtures save"), a traffic log folder or a .har file.`);
  }
  if (!isDirectory) {
    if (path.basename(source) === INDEX_FILE) return readReplaySource(path.dirname(source));
    const { fixtures, unsaveable, skippedNote } = await fixturesFromHar(source);
    return { kind: 'HAR file', fixtures: named(fixtures), unsaveable, skippedNote };
  }
  if (existsSync(path.join(source, INDEX_FILE))) return { kind: 'fixture set', fixtures: await readFixtureSet(source), unsaveable: [] };
  if ((await listTrafficFiles(source)).length > 0) {
    const skipped = new SkippedLines();
    const { fixtures, unsaveable } = await fixturesFromRecords(readRecords({ logDir: source, exactBodies: true, skipped }));
    return { kind: 'traffic log folder', fixtures: named(fixtures), unsaveable, skippedNote: skipped.note() };
  }
  throw new UserError(`${source} holds neither ${INDEX_FILE} (a set from "ons-proxy fixtures save") nor traffic-*.ndjson files (a log folder): point replay at one of those, or at a .har file.`);
}

/** Names for fixtures that have no file: the file name a save would give, and the exchange's id. */
function named(fixtures: readonly Fixture[]): NamedFixture[] {
  return fixtures.map((fixture) => ({ file: `${fixtureName(fixture)} (${fixture.source.id.slice(0, 8)})`, fixture }));
}
