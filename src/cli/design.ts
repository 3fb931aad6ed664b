// `ons-proxy design <draft|show|check>`: the Technical Design file, drafted from the records,
// rendered for the Ons API Dashboard, and checked against the records and the API document.
import { print } from './output.js';
import fs from 'node:fs';
import path from 'node:path';
import { stringify as yamlText } from 'yaml';
import { UserError } from '../config/errors.js';
import { settingByKey } from '../config/settings.js';
import { DesignCheck, findingCount, type DesignCheckReport } from '../design/check.js';
import { readDesignFile, type ReadDesign } from '../design/design-file.js';
import { DesignDraft } from '../design/draft.js';
import { designView } from '../design/view.js';
import { renderDesignMarkdown } from '../design/markdown.js';
import { configFromCommandLine, stringFlag, type ParsedCommandLine } from './args.js';
import type { Command } from './command.js';
import { recordSelection, selectedRecords } from './record-selection.js';
import { REPORT_OPTIONS, reportDocument, reportHelp } from './report-document.js';

export const DEFAULT_DESIGN_FILE = 'technical-design.json';
const DESIGN_FLAG = settingByKey('design').flag;

export const designCommand: Command = {
  name: 'design',
  summary: 'The Technical Design file: draft it from the records, show it for the Ons API Dashboard, check what would break on staging (enforce it with start --design).',
  usage: 'ons-proxy design draft [--since 7d] [--out technical-design.json] | show [file] [--format markdown|json] | check [file] [--since 7d] [--json]',
  readsSettings: false,
  options: { ...REPORT_OPTIONS, out: { type: 'string' }, format: { type: 'string' }, [DESIGN_FLAG]: { type: 'string' } },
  optionHelp: reportHelp([
    ['draft', 'write the design file from the records: use cases (x-ons-usecase label, else the log tag), their endpoints, per answer model the fields received. Drafting again keeps your edits and adds only what is new'],
    ['show [file]', 'the design as Markdown, in the order the Ons API Dashboard asks for it (--format json: the file as read)'],
    ['check [file]', 'what would break on staging under the design: operations called that it lacks, fields received that it drops, entries the API document does not know, deprecated operations, endpoints never called. Exit status 1 when there is any'],
    ['--out <file>', `draft: where to write (default: --design, ONS_PROXY_DESIGN, else ./${DEFAULT_DESIGN_FILE}); .yaml or .yml writes YAML`],
    ['--design <file>', `show and check: the design file when none is given as an argument [ONS_PROXY_DESIGN; default ./${DEFAULT_DESIGN_FILE}]`],
    ['--json', 'check: print the findings as JSON { file, calls, ok, missingOperations, droppedFields, unknownEntries, deprecated, neverCalled }'],
  ]),
  async run(parsed) {
    const [name, file, extra] = parsed.positionals;
    if (extra !== undefined) throw new UserError(`Unexpected argument "${extra}": ons-proxy design ${name ?? ''} takes at most one file.`);
    switch (name) {
      case 'draft':
        if (file !== undefined) throw new UserError(`ons-proxy design draft takes no file argument ("${file}"): name the file to write with --out.`);
        return draft(parsed);
      case 'show':
        return show(parsed, file);
      case 'check':
        return check(parsed, file);
      default:
        throw new UserError(`${name === undefined ? 'Say what to do' : `Unknown subcommand "${name}"`}: ons-proxy design draft, show [file] or check [file].`);
    }
  },
};

/** The design file a subcommand is about: its argument, else --design / ONS_PROXY_DESIGN, else ./technical-design.json. */
function designFile(parsed: ParsedCommandLine, given: string | undefined): string {
  if (given !== undefined) return path.resolve(given);
  const profile = stringFlag(parsed, 'profile');
  const configs = configFromCommandLine(parsed);
  const configured = (configs.find((config) => config.name === profile) ?? configs[0])?.design;
  return configured ?? path.resolve(DEFAULT_DESIGN_FILE);
}

async function draft(parsed: ParsedCommandLine): Promise<number> {
  const out = stringFlag(parsed, 'out');
  const file = out === undefined ? designFile(parsed, undefined) : path.resolve(out);
  const existing = fs.existsSync(file) ? readDesignFile(file) : undefined;
  const selection = recordSelection(parsed);
  const document = reportDocument(parsed, selection.profile);
  const collector = new DesignDraft(document.api);
  for await (const record of selectedRecords(selection)) collector.add(record);
  const { design, added, calls, leftOut } = collector.result(existing?.design);
  if (design.useCases.length === 0) {
    throw new UserError(`No calls recorded in ${selection.logDirs.join(', ')}${stringFlag(parsed, 'since') ? ' in that period' : ''}: nothing to draft. Run your integration through the proxy first (or widen --since).`);
  }
  const text = /\.ya?ml$/i.test(file) ? yamlText(design, { lineWidth: 0 }) : `${JSON.stringify(design, null, 2)}\n`;
  fs.writeFileSync(file, text);
  const what = existing
    ? `Added ${added.endpoints} endpoint${added.endpoints === 1 ? '' : 's'}, ${added.useCases} use case${added.useCases === 1 ? '' : 's'} and ${added.fields} field${added.fields === 1 ? '' : 's'} to ${file}; your titles, descriptions, reasons and removals are kept.`
    : `Wrote ${file}: ${design.useCases.length} use case${design.useCases.length === 1 ? '' : 's'}, ${design.useCases.reduce((sum, useCase) => sum + useCase.endpoints.length, 0)} endpoints, ${Object.keys(design.models ?? {}).length} models.`;
  print(`${what} From ${calls} call${calls === 1 ? '' : 's'} recorded in ${selection.logDirs.join(', ')}. ${document.note}\nNext: give each use case a description and each endpoint a reason, remove what the connection does not need, then run "ons-proxy start --design ${path.relative(process.cwd(), file) || file}" to see your integration as staging will.\n`);
  if (leftOut.size > 0) {
    const shown = [...leftOut].slice(0, 5).map(([call, count]) => `${call}${count > 1 ? ` (${count}x)` : ''}`);
    print(`Left out ${leftOut.size} path${leftOut.size === 1 ? '' : 's'} the API document has no operation for: ${shown.join(', ')}${leftOut.size > 5 ? ', ...' : ''} (a typo in the integration, or another document: --openapi).\n`);
  }
  return 0;
}

async function show(parsed: ParsedCommandLine, given: string | undefined): Promise<number> {
  const format = stringFlag(parsed, 'format') ?? (parsed.values.json ? 'json' : 'markdown');
  if (format !== 'markdown' && format !== 'json') throw new UserError(`--format "${format}" is not a format of design show: use markdown or json.`);
  const read = readDesignFile(designFile(parsed, given));
  if (format === 'json') {
    print(`${JSON.stringify(read.design, null, 2)}\n`);
    return 0;
  }
  const document = reportDocument(parsed, stringFlag(parsed, 'profile'));
  print(renderDesignMarkdown(designView(read, document.api, document.note)));
  return 0;
}

async function check(parsed: ParsedCommandLine, given: string | undefined): Promise<number> {
  const read: ReadDesign = readDesignFile(designFile(parsed, given));
  const selection = recordSelection(parsed);
  const document = reportDocument(parsed, selection.profile);
  const checker = new DesignCheck(read, document.api);
  for await (const record of selectedRecords(selection)) checker.add(record);
  const report = checker.report();
  const findings = findingCount(report);
  if (parsed.values.json) {
    print(`${JSON.stringify({ ...report, ok: findings === 0, logDirs: selection.logDirs, document: document.api?.source ?? null }, null, 2)}\n`);
    return findings === 0 ? 0 : 1;
  }
  const since = selection.query.since ? ` since ${selection.query.since.toLocaleString()}` : '';
  const scope = `${report.calls} call${report.calls === 1 ? '' : 's'} recorded${since} in ${selection.logDirs.join(', ')}`;
  if (findings === 0) {
    print(`Nothing would break on staging under ${report.file} (${scope}). ${document.note}\n`);
    return 0;
  }
  print(`${findings} thing${findings === 1 ? '' : 's'} to fix before staging under ${report.file} (${scope}). ${document.note}\n${formatFindings(report)}`);
  return 1;
}

function formatFindings(report: DesignCheckReport): string {
  const sections: string[] = [];
  const section = (heading: string, lines: readonly string[]): void => {
    if (lines.length > 0) sections.push(`\n${heading}\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
  };
  section(
    'Operations called that the design lacks (blocked on staging; add them to a use case):',
    report.missingOperations.map((missing) => `${missing.operation}${missing.id ? ` (${missing.id})` : ''}: ${missing.calls} call${missing.calls === 1 ? '' : 's'}${missing.useCases.length ? `, use case ${missing.useCases.map((name) => `"${name}"`).join(', ')}` : ', no use case label'}`),
  );
  section(
    'Fields received that the design does not select (removed on staging; select them under "models" if the integration reads them):',
    report.droppedFields.map((dropped) => `${dropped.model}: ${dropped.fields.join(', ')} (in answers of ${dropped.operations.join(', ')})`),
  );
  section('Entries the API document does not know:', report.unknownEntries.map((problem) => `${problem.where}: ${problem.message}`));
  section(
    'Deprecated operations in the design:',
    report.deprecated.map((entry) => `${entry.operation} (${entry.id}) is deprecated${entry.since ? ` since ${entry.since}` : ''}${entry.replacement ? `: use ${entry.replacement}` : ''}`),
  );
  section('Design endpoints never called in these records (request only what the connection uses):', report.neverCalled);
  return sections.join('');
}
