/** Replay: fixtures from records or HAR files, the fixture set on disk, matching, and the fixture server `replay` runs. */
export { fixtureFromRecord, fixtureFromHarEntry, operationOf, REPLAY_HEADER, FALLTHROUGH_MARK, type Fixture, type Unsaveable } from './fixture.js';
export { addToFixtureSet, readFixtureSet, readIndex, fixtureName, stableJson, INDEX_FILE, type SaveResult } from './fixture-set.js';
export { CARE_DATA_ENVIRONMENTS, environmentOf, isBsnLike, maskFixture, type KnownUpstream } from './care-data.js';
export { FixtureMatcher, methodAndPath, type MatchOptions, type RequestKey, type NamedFixture, type NearMiss } from './matcher.js';
export { collect, fixturesFromHar, fixturesFromRecords, readReplaySource, type ConvertedExchanges, type ReplaySource } from './sources.js';
export { startFixtureServer, type FixtureServer, type Latency } from './fixture-server.js';
