// The API document the reports (`endpoints`, `migrate`) read, if there is one: it names the
// operations of records written without it and the answer models. Without one the reports
// still run, on what the records name, and say so.
import { UserError } from '../config/errors.js';
import { settingByKey } from '../config/settings.js';
import { documentSource, type ApiIndex } from '../openapi/index.js';
import { configFromCommandLine, type OptionSpecs, type ParsedCommandLine } from './args.js';
import { documentForReading } from './openapi.js';

export const REPORT_DOCUMENT_OPTIONS: OptionSpecs = { [settingByKey('openapi').flag]: { type: 'string' } };

export const REPORT_DOCUMENT_HELP: readonly [string, string] = [
  '--openapi <file | url | off>',
  'the API document that names operations and answer models [ONS_PROXY_OPENAPI; default: the cached Ons document]; never downloaded here',
];

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
