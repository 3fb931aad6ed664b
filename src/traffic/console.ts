import pino, { type Logger } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import type { TrafficRecord } from './record.js';
import { BatchedWriter, joinText } from './batched-writer.js';

export type ConsoleLogger = Logger;

const terminalLoggers = new WeakSet<ConsoleLogger>();

/** Whether the logger writes to a terminal (a person reading), rather than to a collector or file. */
export function writesToTerminal(logger: ConsoleLogger): boolean {
  return terminalLoggers.has(logger);
}

/** The one console logger: readable on a terminal, JSON lines otherwise (for log collectors). */
export function createConsoleLogger(level: string, destination: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): ConsoleLogger {
  const options = { level, base: undefined, redact: { paths: ['passphrase', 'key', 'authorization'], censor: '[redacted]' } };
  if (destination.isTTY) {
    // Loaded only for a terminal: log collectors get JSON, and start-up stays quick.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    const logger = pino(options, pretty({ destination: 1, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }));
    terminalLoggers.add(logger);
    return logger;
  }
  // Any other stream (a test's, a file's) gets the lines as they are.
  if (destination !== process.stdout) return pino(options, destination);
  return pino(options, new BatchedWriter(pino.destination({ dest: 1, sync: false }), joinText));
}

/** One console line per exchange, derived from the (already redacted) record; headers too when debugging. */
export function writeConsoleLine(logger: ConsoleLogger, record: TrafficRecord): void {
  const line = {
    id: record.id,
    method: record.method,
    url: record.url,
    status: record.status,
    ms: Math.round(record.durationMs * 10) / 10,
    ...(record.tag !== undefined ? { tag: record.tag } : {}),
    ...(record.queuedMs > 0 ? { queuedMs: record.queuedMs } : {}),
    ...(record.aborted ? { aborted: true } : {}),
    ...(record.error ? { error: record.error.code } : {}),
    ...(record.hint !== undefined ? { hint: record.hint } : {}),
    ...(logger.isLevelEnabled('debug') ? { requestHeaders: record.request.headers, responseHeaders: record.response.headers } : {}),
  };
  const message = `${record.method} ${record.url} ${record.aborted ? 'aborted' : record.status} ${line.ms}ms`;
  if (record.error || record.status >= 500) logger.warn(line, message);
  else logger.info(line, message);
}
