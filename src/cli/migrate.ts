import { loadMigrationFacts } from '../openapi/index.js';
import { formatMigrationChecklist, MigrationTally } from '../reports/migration.js';
import type { Command } from './command.js';
import { recordSelection, reportSkipped, selectedRecords } from './record-selection.js';
import { REPORT_OPTIONS, reportDocument, reportHelp } from './report-document.js';
import { print } from './output.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'A checklist for moving off /t/: every removed or deprecated operation your integration called, its replacement, parameter changes and calls.',
  usage: 'ons-proxy migrate [--since 7d] [--profile <name>] [--json]',
  readsSettings: false,
  options: REPORT_OPTIONS,
  optionHelp: reportHelp([
    ['--json', 'print JSON: { since, logDirs, document, calls, operations: [{ method, path, operationId, state, deprecatedSince, removedOn, replacement, parameterChanges, calls, statuses, firstSeen, lastSeen }] }'],
  ]),
  async run(parsed) {
    const selection = recordSelection(parsed);
    const { logDirs, profile, query: { since: sinceDate } } = selection;
    const document = reportDocument(parsed, profile);
    const facts = loadMigrationFacts();
    // Streamed: the tally keeps counts per operation, never the records.
    const tally = new MigrationTally(facts, document.api);
    let recorded = 0;
    for await (const record of selectedRecords(selection)) {
      tally.add(record);
      recorded += record.repeated?.count ?? 1;
    }
    const operations = tally.items();
    reportSkipped(selection);
    const calls = operations.reduce((sum, item) => sum + item.calls, 0);

    if (parsed.values.json) {
      const report = { since: sinceDate?.toISOString() ?? null, logDirs, document: document.api?.source ?? null, documentNote: document.note, calls, operations };
      print(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const scope = `${sinceDate ? ` since ${sinceDate.toLocaleString()}` : ''}${profile ? ` for profile "${profile}"` : ''} in ${logDirs.join(', ')}`;
    if (operations.length === 0) {
      print(`No removed or deprecated operations among ${recorded} recorded calls${scope}.\n${document.note}\n`);
      return 0;
    }
    const header = `${operations.length} removed or deprecated ${operations.length === 1 ? 'operation' : 'operations'} to move off, ${calls} of ${recorded} recorded calls${scope} (Ons removed its ${facts.removedPrefix} paths on ${facts.removedOn}):`;
    print(`${header}\n${document.note}\n\n${formatMigrationChecklist(operations)}\n`);
    return 0;
  },
};
