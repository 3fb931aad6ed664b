// The API document the reports (`endpoints`, `migrate`) read, if there is one: it names the
// operations of records written without it and the answer models. Without one the reports
// still run, on what the records name, and say so.
import { UserError } from '../config/errors.js';
import { settingByKey } from '../config/settings.js';
import { documentSource, type ApiIndex } from '../openapi/index.js';
import { CONFIG_SOURCE_OPTIONS, configFromCommandLine, type OptionSpecs, type ParsedCommandLine } from './args.js';
import { documentForReading } from './openapi.js';

const REPORT_DOCUMENT_OPTIONS: OptionSpecs = { [settingByKey('openapi').flag]: { type: 'string' } };

const REPORT_DOCUMENT_HELP: readonly [string, string] = [
  '--openapi <file | url | off>',
  'the API document that names operations and answer models [ONS_PROXY_OPENAPI; default: the cached Ons document]; never downloaded here',
];

/** The options every report over records takes: which records, where they are, which document, JSON out. */
export const REPORT_OPTIONS: OptionSpecs = {
  since: { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'boolean' },
  [settingByKey('logDir').flag]: { type: 'string' },
  ...REPORT_DOCUMENT_OPTIONS,
  ...CONFIG_SOURCE_OPTIONS,
};

/** The help of REPORT_OPTIONS, with the report's own options (and its --json shape) after the record filters. */
export function reportHelp(own: ReadonlyArray<readonly [string, string]>): Array<readonly [string, string]> {
  return [
    ['--since <when>', 'only exchanges from then on: 90s, 30m, 2h, 7d, today, yesterday, 2026-11-01 or 2026-11-01T09:00 (default: all records)'],
    ['--profile <name>', 'only exchanges of this configuration profile'],
    ...own,
    REPORT_DOCUMENT_HELP,
    ['--log-dir <path>', "folder of the traffic records [ONS_PROXY_LOG_DIR; default: ./logs, or each profile's in --config]"],
    ['--config <file>', 'read the log folder(s) from this config file'],
    ['--env-file <file>', 'read this file instead of ./.env'],
  ];
}

export interface ReportDocument {
  readonly api: ApiIndex | undefined;
  /** One sentence: which document, or why there is none and what that leaves out. */
  readonly note: string;
}

export function reportDocument(parsed: ParsedCommandLine, profile: string | undefined): ReportDocument {
  const configs = configFromCommandLine(parsed);
  const config = configs.find((candidate) => candidate.name === profile) ?? configs[0];
  const source = documentSource(config?.openapi);
  const without = 'operations are named only where the records name them';
  if (source.kind === 'off') return { api: undefined, note: `No API document (ONS_PROXY_OPENAPI=off): ${without}.` };
  try {
    const api = documentForReading(source);
    return { api, note: `API document: ${api.source} (${api.operations.length} operations).` };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { api: undefined, note: `No API document: ${error.message.replace(/\.$/, '')}; until then ${without}.` };
  }
}
