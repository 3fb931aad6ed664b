import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { UserError } from '../config/errors.js';
import { terminalText } from '../log/terminal-text.js';
import { harEnd, harEntryText, harStart, skippedNote } from '../traffic/har.js';
import { stringFlag } from './args.js';
import type { Command } from './command.js';
import { printError, stopQuietlyWhenOutputCloses } from './output.js';
import { RECORD_FILTER_HELP, RECORD_FILTER_OPTIONS, noOperationMatched, recordSelection, reportSkipped, selectedRecords } from './record-selection.js';

export const harCommand: Command = {
  name: 'har',
  summary: 'Export recorded exchanges as a HAR 1.2 file for Chrome DevTools, Firefox, Insomnia or Postman.',
  usage: 'ons-proxy har [--since 1h] [--status 4xx] [--out exchanges.har]',
  readsSettings: false,
  options: { ...RECORD_FILTER_OPTIONS, out: { type: 'string', short: 'o' } },
  optionHelp: [...RECORD_FILTER_HELP, ['-o, --out <file>', 'write the HAR to this file (readable by you only) instead of standard output']],
  async run(parsed) {
    stopQuietlyWhenOutputCloses();
    const selection = recordSelection(parsed);
    const out = stringFlag(parsed, 'out');
    const target = out === undefined ? process.stdout : await openOutput(path.resolve(out));
    // Written entry by entry: a week of records never has to fit in memory.
    await write(target, harStart());
    let entries = 0;
    let skipped = 0;
    for await (const record of selectedRecords(selection, { exactBodies: true })) {
      const text = harEntryText(record);
      if (text === undefined) {
        skipped++;
        continue;
      }
      await write(target, `${entries > 0 ? ',' : ''}${text}`);
      entries++;
    }
    await write(target, harEnd(skipped));
    if (out !== undefined) {
      target.end();
      await finished(target);
      printError(`Wrote ${entries} exchange${entries === 1 ? '' : 's'} to ${out}\n`);
    }
    if (skipped > 0) printError(`${skippedNote(skipped)} (ons-proxy logs --json shows every record as it is.)\n`);
    reportSkipped(selection);
    // The HAR stays a valid (empty) document; an --operation that selected nothing is still an error.
    if (entries === 0 && skipped === 0) {
      const error = await noOperationMatched(selection);
      if (error) throw error;
    }
    return 0;
  },
};

async function openOutput(file: string): Promise<Writable> {
  // A HAR holds the bodies of the exchanges, care data included: only the owner may read it.
  const stream = createWriteStream(file, { mode: 0o600 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error) => reject(new UserError(`Cannot write ${file} (--out): ${error.message}.`)));
  });
  return stream;
}

async function write(target: Writable, text: string): Promise<void> {
  // On standard output the HAR may meet a terminal: control characters escaped, still the same JSON.
  if (!target.write(target === process.stdout ? terminalText(text) : text)) await once(target, 'drain');
}
