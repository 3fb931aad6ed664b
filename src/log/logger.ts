import pino, { type Logger, type LoggerOptions } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import { BatchedWriter } from '../traffic/batched-writer.js';
import { terminalText } from './terminal-text.js';

export type ConsoleLogger = Logger;

const terminalLoggers = new WeakSet<ConsoleLogger>();
// Where a JSON-lines logger writes: the per-exchange console line goes there directly.
const lineDestinations = new WeakMap<ConsoleLogger, { write(line: string): unknown }>();

/** Whether the logger writes to a terminal (a person reading), rather than to a collector or file. */
export function writesToTerminal(logger: ConsoleLogger): boolean {
  return terminalLoggers.has(logger);
}

/** The one console logger: readable on a terminal, JSON lines otherwise (for log collectors). */
export function createConsoleLogger(level: string, destination: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): ConsoleLogger {
  const options: LoggerOptions = {
    level,
    base: undefined,
    redact: { paths: ['passphrase', 'key', 'authorization'], censor: '[redacted]' },
    // Messages name paths, fixture files, operations and documents from elsewhere: shown with their control characters escaped.
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? terminalText(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
  if (destination.isTTY) {
    // Loaded only for a terminal: log collectors get JSON, and start-up stays quick.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    const logger = pino(options, pretty({ destination: destination === process.stdout ? 1 : destination, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }));
    terminalLoggers.add(logger);
    return logger;
  }
  // Any other stream (a test's, a file's) gets the lines as they are. stdout gets each 10 ms
  // batch in one synchronous write: an asynchronous one still in flight when the process
  // exits or crashes is lost (up to a whole burst's lines), and one write syscall per batch
  // costs less than a thread-pool hand-off. A log reader that stops reading stalls the
  // proxy, as it would any program that logs to a pipe (pino's own default is the same).
  const lines = destination === process.stdout ? new BatchedWriter(pino.destination({ dest: 1, sync: true })) : destination;
  const logger = pino(options, lines);
  lineDestinations.set(logger, lines);
  return logger;
}

/**
 * Where a JSON-lines logger writes, for lines built without pino's serialiser; undefined for a
 * terminal's logger, whose lines pino-pretty must format.
 */
export function lineDestination(logger: ConsoleLogger): { write(line: string): unknown } | undefined {
  return lineDestinations.get(logger);
}
