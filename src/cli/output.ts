// Standard output for the commands that print records (`logs`, `har`): piped into head or jq.
import { once } from 'node:events';

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
