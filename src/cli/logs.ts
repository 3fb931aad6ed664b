import { UserError } from '../config/errors.js';
import { describeRepeated, followRecords, wholeLineEnds, type TrafficRecord } from '../traffic/index.js';
import { jsonEscaped } from '../traffic/filter.js';
import { prettyRecord, recordLine } from '../traffic/record-text.js';
import { settingByKey } from '../config/settings.js';
import { describeRemoved, pruneTrafficFiles, retentionLimits } from '../traffic/retention.js';
import { configFromCommandLine, stringFlag, type ParsedCommandLine } from './args.js';
import type { Command } from './command.js';
import { print, printError, stopQuietlyWhenOutputCloses, writeOut } from './output.js';
import { RECORD_FILTER_HELP, RECORD_FILTER_OPTIONS, isSelected, noOperationMatched, recordSelection, reportSkipped, selectedRecords, type RecordSelection } from './record-selection.js';

export const logsCommand: Command = {
  name: 'logs',
  summary: 'List the recorded exchanges (time, method, status, ms, url, id), filter them, print one in full, or follow live.',
  usage: 'ons-proxy logs [--status 4xx] [--method GET] [--path "/t/clients/*"] [--since 10m] [--webhooks] [--id <id>] [--follow] [--json]',
  readsSettings: false,
  options: {
    ...RECORD_FILTER_OPTIONS,
    webhooks: { type: 'boolean' },
    id: { type: 'string' },
    follow: { type: 'boolean', short: 'f' },
    json: { type: 'boolean' },
    prune: { type: 'boolean' },
    [settingByKey('logRetentionDays').flag]: { type: 'string' },
    [settingByKey('logMaxBytes').flag]: { type: 'string' },
  },
  optionHelp: [
    ...RECORD_FILTER_HELP,
    ['--webhooks', 'only webhook deliveries (those "webhooks listen" received and those trigger, handshake and replay sent)'],
    ['--id <id>', 'print that exchange in full (the x-request-id; its first 8 characters do)'],
    ['-f, --follow', 'keep printing new exchanges as they are recorded (Ctrl+C stops)'],
    ['--json', 'print the records as JSON lines, for jq'],
    ['--prune', 'remove the day files past the retention limits now, as the proxy does at start and daily'],
    ['--log-retention-days <n>', 'days of traffic files kept, today included [ONS_PROXY_LOG_RETENTION_DAYS; 7 on staging and production, 30 on development]'],
    ['--log-max-bytes <n>', 'most bytes of traffic files kept, oldest days removed first [ONS_PROXY_LOG_MAX_BYTES]'],
  ],
  async run(parsed) {
    stopQuietlyWhenOutputCloses();
    if (parsed.values.prune === true) return prune(parsed);
    const selection = webhooksOnly(recordSelection(parsed), parsed.values.webhooks === true);
    const id = stringFlag(parsed, 'id');
    if (id !== undefined) return printOne(selection, id);
    const json = parsed.values.json === true;
    let rows = 0;
    const print = (record: TrafficRecord): Promise<void> => {
      const header = !json && rows === 0 ? `${TABLE_HEADER}\n` : '';
      rows++;
      return writeOut(`${header}${json ? recordLine(record) : tableRow(record)}\n`);
    };
    const following = parsed.values.follow === true;
    const listedUpTo = following ? await wholeLineEnds(selection.logDirs) : undefined;
    for await (const record of selectedRecords(selection, { upTo: listedUpTo, exactBodies: json })) await print(record);
    if (rows === 0 && !following) {
      const error = await noOperationMatched(selection);
      if (error) throw error;
    }
    if (rows === 0 && !json) printError('No recorded exchanges match.\n');
    reportSkipped(selection);
    if (following) await follow(selection, print, listedUpTo, json);
    return 0;
  },
};

/** --webhooks: the selection narrowed to webhook deliveries. */
function webhooksOnly(selection: RecordSelection, only: boolean): RecordSelection {
  if (!only) return selection;
  const { query } = selection;
  return { ...selection, query: { ...query, matches: (record) => record.webhook !== undefined && query.matches(record) } };
}

/** `logs --prune`: every profile's folder with its own limits. */
async function prune(parsed: ParsedCommandLine): Promise<number> {
  const seen = new Set<string>();
  for (const config of configFromCommandLine(parsed)) {
    if (seen.has(config.logDir)) continue;
    seen.add(config.logDir);
    const limits = retentionLimits(config);
    const removed = await pruneTrafficFiles(config.logDir, limits);
    const kept = `ONS_PROXY_LOG_RETENTION_DAYS=${limits.days || 'off'}, ONS_PROXY_LOG_MAX_BYTES=${limits.maxBytes || 'off'}`;
    print(removed.length > 0 ? `${describeRemoved(config.logDir, removed, limits)}\n` : `Nothing to remove from ${config.logDir} (${kept}).\n`);
  }
  return 0;
}

async function printOne(selection: RecordSelection, id: string): Promise<number> {
  // Only lines holding the id are parsed: finding one record costs about what grep does.
  for await (const record of selectedRecords(selection, { exactBodies: true, needles: [[Buffer.from(jsonEscaped(id))]] })) {
    if (record.id === id || (id.length >= 8 && record.id.startsWith(id))) {
      await writeOut(`${prettyRecord(record)}\n`);
      return 0;
    }
  }
  throw new UserError(`No recorded exchange with id "${id}" in ${selection.logDirs.join(', ')}: copy it from the x-request-id header or from "ons-proxy logs".`, 1);
}

async function follow(selection: RecordSelection, print: (record: TrafficRecord) => Promise<void>, from: ReadonlyMap<string, number> | undefined, exactBodies: boolean): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const streams = selection.logDirs.map(async (logDir) => {
      for await (const record of followRecords({ logDir, signal: stop.signal, from, exactBodies })) if (isSelected(selection, record)) await print(record);
    });
    await Promise.all(streams);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const TABLE_HEADER = `${'TIME'.padEnd(23)}  ${'METHOD'.padEnd(7)} ${'STATUS'.padEnd(7)} ${'MS'.padStart(8)}  ${'URL'.padEnd(40)}  ID`;

function tableRow(record: TrafficRecord): string {
  const status = record.aborted ? 'aborted' : record.error && record.status === 0 ? 'error' : String(record.status);
  const repeated = record.repeated ? `  (${describeRepeated(record.repeated)})` : '';
  const webhook = record.webhook ? `  (webhook ${record.webhook.direction} ${record.webhook.event}${record.webhook.id === undefined ? '' : ` ${record.webhook.id}`}, signature ${record.webhook.signature}${record.webhook.warning ? `: ${record.webhook.warning}` : ''})` : '';
  return `${localTime(record.time)}  ${record.method.padEnd(7)} ${status.padEnd(7)} ${record.durationMs.toFixed(1).padStart(8)}  ${record.url.padEnd(40)}  ${record.id}${repeated}${webhook}`;
}

/** "2026-11-28 14:03:07.123" in the local time zone, like the file names. */
function localTime(iso: string): string {
  const moment = new Date(iso);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())} ${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}.${pad(moment.getMilliseconds(), 3)}`;
}
