// Standard output and error of the commands. Every text a command prints goes through
// terminalText, so record, label, document and file content never reaches the terminal as
// control sequences; `ons-proxy logs | head` and jq still get plain lines and valid JSON.
import { once } from 'node:events';
import { terminalText } from '../log/terminal-text.js';

/** `ons-proxy logs | head` closes the pipe early: that is the reader being done, not an error. */
export function stopQuietlyWhenOutputCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** Writes to standard output, waiting when the reader is slower than the log folder. */
export async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(terminalText(text))) await once(process.stdout, 'drain');
}

/** Prints to standard output. */
export function print(text: string): void {
  process.stdout.write(terminalText(text));
}

/** Prints to standard error (messages, progress). */
export function printError(text: string): void {
  process.stderr.write(terminalText(text));
}

/** Rewrites the line in place on standard error (a progress line). */
export function printProgress(line: string): void {
  process.stderr.write(`\r${terminalText(line)}`);
}
