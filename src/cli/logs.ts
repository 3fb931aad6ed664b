import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { UserError } from '../config/errors.js';
import { settingByKey } from '../config/settings.js';
import { followRecords, readRecords, type TrafficRecord } from '../traffic/index.js';
import { parseRecordQuery, type RecordQuery } from '../traffic/filter.js';
import { CONFIG_SOURCE_OPTIONS, configFromCommandLine, stringFlag, type OptionSpecs, type ParsedCommandLine } from './args.js';
import type { Command } from './command.js';

/** The record filters `logs` and `har` share. */
export const RECORD_FILTER_OPTIONS: OptionSpecs = {
  status: { type: 'string' },
  method: { type: 'string' },
  path: { type: 'string' },
  since: { type: 'string' },
  profile: { type: 'string' },
  [settingByKey('logDir').flag]: { type: 'string' },
  ...CONFIG_SOURCE_OPTIONS,
};

export const RECORD_FILTER_HELP: ReadonlyArray<readonly [string, string]> = [
  ['--status <codes>', 'only these statuses: 404, 4xx, or a list like 4xx,503'],
  ['--method <methods>', 'only these methods, e.g. GET or post,put'],
  ['--path <text>', 'only URLs containing this text, or paths matching a glob like "/t/clients/*"'],
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
}

/** Where the records are and which of them the command line asks for. */
export function recordSelection(parsed: ParsedCommandLine): RecordSelection {
  const query = parseRecordQuery({
    status: stringFlag(parsed, 'status'),
    method: stringFlag(parsed, 'method'),
    path: stringFlag(parsed, 'path'),
    since: stringFlag(parsed, 'since'),
  });
  const profile = stringFlag(parsed, 'profile');
  const configs = configFromCommandLine(parsed).filter((config) => profile === undefined || config.name === profile);
  if (configs.length === 0) throw new UserError(`No profile "${profile}" in the configuration: leave out --profile, or use a name from "profiles" in the config file.`);
  const configured = [...new Set(configs.map((config) => config.logDir))];
  // A profile that never ran has no folder yet; only when none has one is that an error (the reader says so).
  const present = configured.filter((dir) => existsSync(dir));
  return { logDirs: present.length > 0 ? present : configured.slice(0, 1), query, profile };
}

export async function* selectedRecords(selection: RecordSelection): AsyncGenerator<TrafficRecord> {
  for (const logDir of selection.logDirs) {
    for await (const record of readRecords({ logDir, since: selection.query.since })) {
      if (isSelected(selection, record)) yield record;
    }
  }
}

function isSelected(selection: RecordSelection, record: TrafficRecord): boolean {
  return (selection.profile === undefined || record.profile === selection.profile) && selection.query.matches(record);
}

export const logsCommand: Command = {
  name: 'logs',
  summary: 'List the recorded exchanges (time, method, status, ms, url, id), filter them, print one in full, or follow live.',
  usage: 'ons-proxy logs [--status 4xx] [--method GET] [--path "/t/clients/*"] [--since 10m] [--id <id>] [--follow] [--json]',
  readsSettings: false,
  options: { ...RECORD_FILTER_OPTIONS, id: { type: 'string' }, follow: { type: 'boolean', short: 'f' }, json: { type: 'boolean' } },
  optionHelp: [
    ...RECORD_FILTER_HELP,
    ['--id <id>', 'print that exchange in full (the x-request-id; its first 8 characters do)'],
    ['-f, --follow', 'keep printing new exchanges as they are recorded (Ctrl+C stops)'],
    ['--json', 'print the records as JSON lines, for jq'],
  ],
  async run(parsed) {
    stopQuietlyWhenOutputCloses();
    const selection = recordSelection(parsed);
    const id = stringFlag(parsed, 'id');
    if (id !== undefined) return printOne(selection, id);
    const json = parsed.values.json === true;
    let rows = 0;
    const print = (record: TrafficRecord): Promise<void> => {
      const header = !json && rows++ === 0 ? `${TABLE_HEADER}\n` : '';
      return writeOut(`${header}${json ? JSON.stringify(record) : tableRow(record)}\n`);
    };
    for await (const record of selectedRecords(selection)) await print(record);
    if (rows === 0 && !json) process.stderr.write('No recorded exchanges match.\n');
    if (parsed.values.follow === true) await follow(selection, print);
    return 0;
  },
};

async function printOne(selection: RecordSelection, id: string): Promise<number> {
  for await (const record of selectedRecords(selection)) {
    if (record.id === id || (id.length >= 8 && record.id.startsWith(id))) {
      process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
      return 0;
    }
  }
  throw new UserError(`No recorded exchange with id "${id}" in ${selection.logDirs.join(', ')}: copy it from the x-request-id header or from "ons-proxy logs".`, 1);
}

async function follow(selection: RecordSelection, print: (record: TrafficRecord) => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const streams = selection.logDirs.map(async (logDir) => {
      for await (const record of followRecords({ logDir, signal: stop.signal })) if (isSelected(selection, record)) await print(record);
    });
    await Promise.all(streams);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `ons-proxy logs | head` closes the pipe early: that is the reader being done, not an error. */
export function stopQuietlyWhenOutputCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** Writes to standard output, waiting when the reader is slower than the log folder. */
export async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

const TABLE_HEADER = `${'TIME'.padEnd(23)}  ${'METHOD'.padEnd(7)} ${'STATUS'.padEnd(7)} ${'MS'.padStart(8)}  ${'URL'.padEnd(40)}  ID`;

function tableRow(record: TrafficRecord): string {
  const status = record.aborted ? 'aborted' : record.error && record.status === 0 ? 'error' : String(record.status);
  return `${localTime(record.time)}  ${record.method.padEnd(7)} ${status.padEnd(7)} ${record.durationMs.toFixed(1).padStart(8)}  ${record.url.padEnd(40)}  ${record.id}`;
}

/** "2026-11-28 14:03:07.123" in the local time zone, like the file names. */
function localTime(iso: string): string {
  const moment = new Date(iso);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())} ${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}.${pad(moment.getMilliseconds(), 3)}`;
}
