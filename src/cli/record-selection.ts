// Which traffic records a reading command (`logs`, `har`, `endpoints`) asks for, and where they
// are: the record filters on its command line and the log folder(s) of its configuration.
import { printError } from './output.js';
import { existsSync } from 'node:fs';
import { UserError } from '../config/errors.js';
import { settingByKey } from '../config/settings.js';
import { nearestOperations, parseRecordQuery, type RecordQuery } from '../traffic/filter.js';
import { readRecords, type TrafficRecord } from '../traffic/index.js';
import { SkippedLines } from '../traffic/line-reader.js';
import { CONFIG_SOURCE_OPTIONS, configFromCommandLine, stringFlag, type OptionSpecs, type ParsedCommandLine } from './args.js';

/** The record filters `logs` and `har` share. */
export const RECORD_FILTER_OPTIONS: OptionSpecs = {
  status: { type: 'string' },
  method: { type: 'string' },
  path: { type: 'string' },
  operation: { type: 'string' },
  since: { type: 'string' },
  profile: { type: 'string' },
  [settingByKey('logDir').flag]: { type: 'string' },
  ...CONFIG_SOURCE_OPTIONS,
};

export const RECORD_FILTER_HELP: ReadonlyArray<readonly [string, string]> = [
  ['--status <codes>', 'only these statuses: 404, 4xx, or a list like 4xx,503'],
  ['--method <methods>', 'only these methods, e.g. GET or post,put'],
  ['--path <text>', 'only URLs containing this text, or paths matching a glob like "/t/clients/*"'],
  ['--operation <id or text>', 'only exchanges of this operation of the API document (ClientAPI.byId), or whose operation id, summary or path template contains the text'],
  ['--since <when>', 'only exchanges from then on: 90s, 10m, 2h, 7d, today, 2026-11-01 or 2026-11-01T09:00'],
  ['--profile <name>', 'only exchanges of this configuration profile'],
  ['--log-dir <path>', "folder of the traffic records [ONS_PROXY_LOG_DIR; default: ./logs, or each profile's in --config]"],
  ['--config <file>', 'read the log folder(s) from this config file'],
  ['--env-file <file>', 'read this file instead of ./.env'],
];

export interface RecordSelection {
  readonly logDirs: readonly string[];
  readonly query: RecordQuery;
  readonly profile: string | undefined;
  /** What --operation asked for, to say which operations were recorded when it selects nothing. */
  readonly operation?: string | undefined;
  /** Lines of the folders that were not records, for the note at the end (see skippedNote). */
  readonly skipped: SkippedLines;
}

/**
 * Where the records are and which of them the command line asks for. Flags the command does
 * not declare (e.g. --status for `endpoints`) are simply absent and filter nothing.
 */
export function recordSelection(parsed: ParsedCommandLine): RecordSelection {
  const operation = stringFlag(parsed, 'operation');
  const query = parseRecordQuery({
    status: stringFlag(parsed, 'status'),
    method: stringFlag(parsed, 'method'),
    path: stringFlag(parsed, 'path'),
    operation,
    since: stringFlag(parsed, 'since'),
  });
  const profile = stringFlag(parsed, 'profile');
  const configs = configFromCommandLine(parsed).filter((config) => profile === undefined || config.name === profile);
  if (configs.length === 0) throw new UserError(`No profile "${profile}" in the configuration: leave out --profile, or use a name from "profiles" in the config file.`);
  const configured = [...new Set(configs.map((config) => config.logDir))];
  // A profile that never ran has no folder yet; only when none has one is that an error (the reader says so).
  const present = configured.filter((dir) => existsSync(dir));
  return { logDirs: present.length > 0 ? present : configured.slice(0, 1), query, profile, operation, skipped: new SkippedLines() };
}

export interface SelectedRecordsOptions {
  /** Read each file only that far (see wholeLineEnds). */
  readonly upTo?: ReadonlyMap<string, number> | undefined;
  /** JSON bodies with their own text, for commands that write bodies (see parseRecordLine). */
  readonly exactBodies?: boolean;
  /** More byte strings the wanted lines hold, e.g. the start of one record's id. */
  readonly needles?: readonly Buffer[][];
}

export async function* selectedRecords(selection: RecordSelection, options: SelectedRecordsOptions = {}): AsyncGenerator<TrafficRecord> {
  const profile = selection.profile === undefined ? [] : [[Buffer.from(`profile":${JSON.stringify(selection.profile)}`)]];
  // The most selective first: the reader searches for the first group and checks the rest per line.
  const needles = [...(options.needles ?? []), ...selection.query.needles, ...profile];
  for (const logDir of selection.logDirs) {
    const reading = { logDir, since: selection.query.since, upTo: options.upTo, exactBodies: options.exactBodies, needles, skipped: selection.skipped };
    for await (const record of readRecords(reading)) {
      if (isSelected(selection, record)) yield record;
    }
  }
}

/** Says once, on standard error, how many lines were not records and where (nothing when all were). */
export function reportSkipped(selection: RecordSelection): void {
  const note = selection.skipped.note();
  if (note !== undefined) printError(`${note}.\n`);
}

export function isSelected(selection: RecordSelection, record: TrafficRecord): boolean {
  return (selection.profile === undefined || record.profile === selection.profile) && selection.query.matches(record);
}

/**
 * When --operation selected nothing: an error (exit 1) naming the operations the records do
 * hold, nearest to what was asked first. Undefined when --operation was not given.
 */
export async function noOperationMatched(selection: RecordSelection): Promise<UserError | undefined> {
  if (selection.operation === undefined) return undefined;
  const seen = new Set<string>();
  for (const logDir of selection.logDirs) {
    for await (const record of readRecords({ logDir })) if (record.operation) seen.add(record.operation.id);
  }
  const asked = `--operation "${selection.operation}"`;
  if (seen.size === 0) {
    return new UserError(`${asked} selects nothing: no record in ${selection.logDirs.join(', ')} names an operation. Records name their operation when the proxy runs with an API document (ONS_PROXY_OPENAPI); select with --path instead.`, 1);
  }
  const nearest = nearestOperations(selection.operation, seen);
  return new UserError(`${asked} selects nothing. Nearest operations recorded: ${nearest.join(', ')}.`, 1);
}
