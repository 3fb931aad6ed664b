import pino, { type Logger } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import type { TrafficRecord } from './record.js';
import { BatchedWriter, joinText } from './batched-writer.js';

export type ConsoleLogger = Logger;

const terminalLoggers = new WeakSet<ConsoleLogger>();
// Where a JSON-lines logger writes: the per-exchange line goes there directly (see exchangeLine).
const lineDestinations = new WeakMap<ConsoleLogger, { write(line: string): unknown }>();

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
  const lines = destination === process.stdout ? new BatchedWriter(pino.destination({ dest: 1, sync: false }), joinText) : destination;
  const logger = pino(options, lines);
  lineDestinations.set(logger, lines);
  return logger;
}

/** One console line per exchange, derived from the (already redacted) record; headers too when debugging. */
export function writeConsoleLine(logger: ConsoleLogger, record: TrafficRecord): void {
  // Absent fields are undefined: pino leaves them out, and so does exchangeLine.
  const line: Record<string, unknown> = {
    id: record.id,
    method: record.method,
    url: record.url,
    status: record.status,
    ms: Math.round(record.durationMs * 10) / 10,
    tag: record.tag,
    queuedMs: record.queuedMs > 0 ? record.queuedMs : undefined,
    aborted: record.aborted ? true : undefined,
    error: record.error?.code,
    hint: record.hint,
    operation: record.operation?.id,
    findings: record.findings?.length,
  };
  const findings = record.findings === undefined ? '' : ` ${record.findings.length} finding${record.findings.length === 1 ? '' : 's'}`;
  const message = `${record.method} ${record.url} ${record.aborted ? 'aborted' : record.status} ${String(line.ms)}ms${record.operation ? ` ${record.operation.id}` : ''}${findings}`;
  const warning = record.error !== undefined || record.status >= 500;
  const debugging = logger.isLevelEnabled('debug');
  const destination = debugging ? undefined : lineDestinations.get(logger);
  if (destination) {
    if (logger.isLevelEnabled(warning ? 'warn' : 'info')) destination.write(exchangeLine(warning ? WARN_LEVEL : INFO_LEVEL, line, message));
    return;
  }
  if (debugging) {
    line.findings = record.findings;
    line.requestHeaders = record.request.headers;
    line.responseHeaders = record.response.headers;
  }
  if (warning) logger.warn(line, message);
  else logger.info(line, message);
}

const INFO_LEVEL = 30;
const WARN_LEVEL = 40;

/**
 * The line pino writes for `line` and `message`, byte for byte, built in one template: pino
 * serialises each field through its own machinery and runs its redaction on every call, a
 * sixth of the cost of recording an exchange. None of these fields is one pino redacts.
 */
function exchangeLine(level: number, line: Record<string, unknown>, message: string): string {
  let text = `{"level":${level},"time":${Date.now()}`;
  for (const name in line) {
    const value = line[name];
    if (value !== undefined) text += `,"${name}":${JSON.stringify(value)}`;
  }
  return `${text},"msg":${JSON.stringify(message)}}\n`;
}
