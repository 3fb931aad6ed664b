// On exit (process.exit, the end of the event loop, an uncaught exception) a writer's pending
// lines are written out synchronously: an asynchronous write started then never completes.
// pino does the same for the destinations it knows, but not for the writers wrapped around
// them; the listener goes in front of pino's, so their lines go first.
interface WritesOutSync {
  flushSync(): void;
}

const open = new Set<WritesOutSync>();
let exitListening = false;

/** Has `writer.flushSync()` called on exit, until `forgetOnExit(writer)`. */
export function writeOutOnExit(writer: WritesOutSync): void {
  open.add(writer);
  if (exitListening) return;
  exitListening = true;
  process.prependListener('exit', () => {
    for (const each of open) each.flushSync();
  });
}

/** The writer was closed or destroyed: nothing of it is written on exit. */
export function forgetOnExit(writer: WritesOutSync): void {
  open.delete(writer);
}
