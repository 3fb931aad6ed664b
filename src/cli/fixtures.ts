import path from 'node:path';
import { UserError } from '../config/errors.js';
import { settingByKey } from '../config/settings.js';
import {
  CARE_DATA_ENVIRONMENTS,
  addToFixtureSet,
  environmentOf,
  fixturesFromHar,
  fixturesFromRecords,
  maskFixture,
  type ConvertedExchanges,
  type Fixture,
  type KnownUpstream,
  type Unsaveable,
} from '../replay/index.js';
import type { TrafficRecord } from '../traffic/record.js';
import { configFromCommandLine, listFlag, stringFlag, type ParsedCommandLine } from './args.js';
import type { Command } from './command.js';
import { RECORD_FILTER_HELP, RECORD_FILTER_OPTIONS, noOperationMatched, recordSelection, reportSkipped, selectedRecords } from './record-selection.js';
import { print, printError } from './output.js';

const SUBCOMMANDS = ['save'];

export const fixturesCommand: Command = {
  name: 'fixtures',
  summary: 'Save recorded exchanges (or a HAR file) as a fixture set for `ons-proxy replay`: one small JSON file per exchange, plus an index.',
  usage: 'ons-proxy fixtures save --out <folder> [--since 1h] [--path "/v0/*"] [--status 2xx] [--operation <id>] [--id <id,...>] [--har <file>] [--allow-care-data]',
  readsSettings: false,
  options: {
    ...RECORD_FILTER_OPTIONS,
    out: { type: 'string', short: 'o' },
    id: { type: 'string' },
    har: { type: 'string' },
    'allow-care-data': { type: 'boolean' },
    [settingByKey('redactFields').flag]: { type: 'string' },
    [settingByKey('redactHeaders').flag]: { type: 'string' },
  },
  optionHelp: [
    ['-o, --out <folder>', 'the fixture set to write or add to; a second save adds only exchanges it does not hold yet'],
    ...RECORD_FILTER_HELP,
    ['--id <ids>', 'only these exchanges (x-request-id, or its first 8+ characters), comma-separated'],
    ['--har <file>', 'take the exchanges from this HAR file (a browser\'s, Insomnia\'s, or ons-proxy har) instead of the records'],
    ['--allow-care-data', 'write exchanges from staging or production too, with BSN-like values and the redaction fields masked'],
    ['--redact-fields <list>', 'JSON body fields to mask in the files [ONS_PROXY_REDACT_FIELDS]'],
    ['--redact-headers <list>', 'more headers to mask in the files [ONS_PROXY_REDACT_HEADERS]'],
  ],
  async run(parsed) {
    const [subcommand] = parsed.positionals;
    if (subcommand === undefined || !SUBCOMMANDS.includes(subcommand)) {
      throw new UserError(`${subcommand === undefined ? 'Say what to do' : `Unknown fixtures command "${subcommand}"`}: ons-proxy fixtures save --out <folder>. Run "ons-proxy fixtures --help" for the options.`);
    }
    const out = stringFlag(parsed, 'out');
    if (out === undefined) throw new UserError('Say where to write the fixture set: ons-proxy fixtures save --out fixtures/ (an existing set is added to).');
    const configs = configFromCommandLine(parsed);
    const config = configs[0];
    if (!config) return 2;
    const converted = await exchangesToSave(parsed);
    const known: KnownUpstream[] = configs.map(({ upstream, environment }) => ({ upstream, environment }));
    const careData = converted.fixtures.filter((fixture) => isCareData(fixture, known));
    if (careData.length > 0 && parsed.values['allow-care-data'] !== true) {
      const environments = [...new Set(careData.map((fixture) => environmentOf(fixture, known)))].join(' and ');
      throw new UserError(
        `${careData.length} of the exchanges come from ${environments}, where answers hold real care data, and fixture files are meant to be committed and shared. ` +
          'Select development exchanges only (--since, --path, --profile, --id), or add --allow-care-data to write them with BSN-like values and the ONS_PROXY_REDACT_FIELDS fields masked. Nothing was written.',
      );
    }
    const masked = converted.fixtures.map((fixture) => maskFixture(fixture, { redactFields: config.redactFields, redactHeaders: config.redactHeaders, bsn: isCareData(fixture, known) }));
    const folder = path.resolve(out);
    const result = await addToFixtureSet(folder, masked);
    print(saveReport(out, result.written, result.alreadyThere, converted.unsaveable, careData.length));
    return 0;
  },
};

function isCareData(fixture: Fixture, known: readonly KnownUpstream[]): boolean {
  const environment = environmentOf(fixture, known);
  return environment !== undefined && CARE_DATA_ENVIRONMENTS.includes(environment);
}

async function exchangesToSave(parsed: ParsedCommandLine): Promise<ConvertedExchanges> {
  const har = stringFlag(parsed, 'har');
  const operations = listFlag(parsed, 'operation');
  const ids = listFlag(parsed, 'id');
  if (har !== undefined) {
    if (operations.length > 0) throw new UserError('--operation selects among records; a HAR file has no operations. Leave out --operation or --har.');
    const converted = await fixturesFromHar(path.resolve(har));
    if (converted.skippedNote !== undefined) printError(`${converted.skippedNote}.\n`);
    const wanted = (fixture: Fixture): boolean => ids.length === 0 || ids.some((id) => matchesId(fixture.source.id, id));
    return { fixtures: converted.fixtures.filter(wanted), unsaveable: converted.unsaveable };
  }
  // --operation is the record filter `logs` applies (recordSelection), so both select the same records.
  const selection = recordSelection(parsed);
  let selected = 0;
  async function* records(): AsyncGenerator<TrafficRecord> {
    for await (const record of selectedRecords(selection, { exactBodies: true })) {
      if (ids.length > 0 && !ids.some((id) => matchesId(record.id, id))) continue;
      selected++;
      yield record;
    }
  }
  const converted = await fixturesFromRecords(records());
  reportSkipped(selection);
  if (selected === 0) {
    const error = await noOperationMatched(selection);
    if (error) throw error;
  }
  return converted;
}

function matchesId(recordId: string, wanted: string): boolean {
  return recordId === wanted || (wanted.length >= 8 && recordId.startsWith(wanted));
}


const REASON_TEXT: Record<Unsaveable['reason'], string> = {
  cut: 'cut at the body limit, so they cannot be saved whole (record them again with "ons-proxy start --capture-full", or a larger ONS_PROXY_LOG_BODY_LIMIT)',
  omitted: 'recorded without bodies (ONS_PROXY_LOG_BODIES=false)',
  'not-answered': 'not answered by the API',
  replayed: 'answered by a replay, not by the API',
  'no-content': 'without a response body in the HAR',
};

function saveReport(out: string, written: readonly string[], alreadyThere: number, unsaveable: readonly Unsaveable[], masked: number): string {
  const lines = [`Wrote ${written.length} new fixture${written.length === 1 ? '' : 's'} to ${out}${alreadyThere > 0 ? ` (${alreadyThere} already there)` : ''}.`];
  for (const file of written) lines.push(`  ${file}`);
  if (masked > 0) lines.push(`${masked} of them come from staging or production: BSN-like values and the redaction fields are masked.`);
  for (const reason of Object.keys(REASON_TEXT) as Array<Unsaveable['reason']>) {
    const skipped = unsaveable.filter((item) => item.reason === reason);
    if (skipped.length === 0) continue;
    // Which exchanges were cut matters (they are the ones to record again); the rest were never the API's answers.
    const listed = reason === 'cut' || reason === 'omitted';
    lines.push(`Not saved: ${skipped.length} exchange${skipped.length === 1 ? '' : 's'} ${REASON_TEXT[reason]}${listed ? ':' : '.'}`);
    if (listed) for (const item of skipped) lines.push(`  ${item.id}  ${item.method} ${item.url}  (${item.detail})`);
  }
  return `${lines.join('\n')}\n`;
}
