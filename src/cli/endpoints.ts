import { UserError } from '../config/errors.js';
import { formatEndpointReport } from '../reports/endpoint-text.js';
import { EndpointTally } from '../reports/endpoints.js';
import { formatTechnicalDesign } from '../reports/technical-design.js';
import { stringFlag } from './args.js';
import type { Command } from './command.js';
import { recordSelection, reportSkipped, selectedRecords } from './record-selection.js';
import { REPORT_OPTIONS, reportDocument, reportHelp } from './report-document.js';
import { print } from './output.js';

const FORMATS = ['text', 'markdown'] as const;

export const endpointsCommand: Command = {
  name: 'endpoints',
  summary: 'The operations your integration used, per tag, with calls, statuses and the answer fields it received; --format markdown drafts the Technical Design.',
  usage: 'ons-proxy endpoints [--since 7d] [--profile <name>] [--format text|markdown] [--json]',
  readsSettings: false,
  options: { ...REPORT_OPTIONS, format: { type: 'string' } },
  optionHelp: reportHelp([
    ['--format <text|markdown>', 'markdown: a Technical Design draft, use cases (the x-ons-usecase request header, else the log tag) with their endpoints and the fields used'],
    ['--json', 'print JSON: { since, logDirs, document, calls, endpoints: [{ method, path, operation, calls, statuses, firstSeen, lastSeen, answers: [{ model, fields }], useCases }] }'],
  ]),
  async run(parsed) {
    const format = stringFlag(parsed, 'format') ?? 'text';
    if (!(FORMATS as readonly string[]).includes(format)) throw new UserError(`--format "${format}" is not a format: use text or markdown (or --json).`);
    const selection = recordSelection(parsed);
    const { logDirs, profile, query: { since: sinceDate } } = selection;
    const document = reportDocument(parsed, profile);
    // Streamed: the tally keeps counts and field names, never the records.
    const tally = new EndpointTally(document.api);
    for await (const record of selectedRecords(selection)) tally.add(record);
    const endpoints = tally.endpoints();
    reportSkipped(selection);
    const calls = endpoints.reduce((sum, endpoint) => sum + endpoint.calls, 0);

    if (parsed.values.json) {
      const report = { since: sinceDate?.toISOString() ?? null, logDirs, document: document.api?.source ?? null, documentNote: document.note, calls, endpoints };
      print(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const scope = `${sinceDate ? ` since ${sinceDate.toLocaleString()}` : ''}${profile ? ` for profile "${profile}"` : ''} in ${logDirs.join(', ')}`;
    if (format === 'markdown') {
      print(formatTechnicalDesign(endpoints, { scope: `${calls} ${calls === 1 ? 'call' : 'calls'} recorded${scope}`, documentNote: document.note }));
      return 0;
    }
    if (endpoints.length === 0) {
      print(`No exchanges recorded${scope}.\n`);
      return 0;
    }
    print(`${endpoints.length} endpoints, ${calls} calls${scope}:\n${document.note}\n\n${formatEndpointReport(endpoints)}\n`);
    return 0;
  },
};
