import { settingByKey } from '../config/settings.js';
import { loadMigrationFacts } from '../openapi/index.js';
import { formatMigrationChecklist, summarizeMigration } from '../reports/migration.js';
import type { UsedExchange } from '../reports/used-exchange.js';
import { CONFIG_SOURCE_OPTIONS } from './args.js';
import type { Command } from './command.js';
import { recordSelection, selectedRecords } from './record-selection.js';
import { REPORT_DOCUMENT_HELP, REPORT_DOCUMENT_OPTIONS, reportDocument } from './report-document.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'A checklist for moving off /t/: every removed or deprecated operation your integration called, its replacement, parameter changes and calls.',
  usage: 'ons-proxy migrate [--since 7d] [--profile <name>] [--json]',
  readsSettings: false,
  options: {
    since: { type: 'string' },
    profile: { type: 'string' },
    json: { type: 'boolean' },
    [settingByKey('logDir').flag]: { type: 'string' },
    ...REPORT_DOCUMENT_OPTIONS,
    ...CONFIG_SOURCE_OPTIONS,
  },
  optionHelp: [
    ['--since <when>', 'only exchanges from then on: 90s, 30m, 2h, 7d, today, yesterday, 2026-11-01 or 2026-11-01T09:00 (default: all records)'],
    ['--profile <name>', 'only exchanges of this configuration profile'],
    ['--json', 'print JSON: { since, logDirs, document, calls, operations: [{ method, path, operationId, state, deprecatedSince, removedOn, replacement, parameterChanges, calls, statuses, firstSeen, lastSeen }] }'],
    REPORT_DOCUMENT_HELP,
    ['--log-dir <path>', 'folder of the traffic records [ONS_PROXY_LOG_DIR; default: ./logs, or each profile\'s in --config]'],
    ['--config <file>', 'read the log folder(s) from this config file'],
    ['--env-file <file>', 'read this file instead of ./.env'],
  ],
  async run(parsed) {
    const selection = recordSelection(parsed);
    const { logDirs, profile, query: { since: sinceDate } } = selection;
    const document = reportDocument(parsed, profile);
    const facts = loadMigrationFacts();
    const exchanges: UsedExchange[] = [];
    let recorded = 0;
    for await (const record of selectedRecords(selection)) {
      exchanges.push(record);
      recorded += record.repeated?.count ?? 1;
    }
    const operations = summarizeMigration(exchanges, facts, document.api);
    const calls = operations.reduce((sum, item) => sum + item.calls, 0);

    if (parsed.values.json) {
      const report = { since: sinceDate?.toISOString() ?? null, logDirs, document: document.api?.source ?? null, documentNote: document.note, calls, operations };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const scope = `${sinceDate ? ` since ${sinceDate.toLocaleString()}` : ''}${profile ? ` for profile "${profile}"` : ''} in ${logDirs.join(', ')}`;
    if (operations.length === 0) {
      process.stdout.write(`No removed or deprecated operations among ${recorded} recorded calls${scope}.\n${document.note}\n`);
      return 0;
    }
    const header = `${operations.length} removed or deprecated ${operations.length === 1 ? 'operation' : 'operations'} to move off, ${calls} of ${recorded} recorded calls${scope} (Ons removed its ${facts.removedPrefix} paths on ${facts.removedOn}):`;
    process.stdout.write(`${header}\n${document.note}\n\n${formatMigrationChecklist(operations)}\n`);
    return 0;
  },
};
