// The console line of each exchange. On a terminal, a batch sync would print thousands of
// lines a second: nobody can read them, and formatting them for the terminal cost the proxy
// a sixth of its throughput. There, ordinary answers beyond a readable rate are summed up
// once a second; anything worth a look (an error, a hint, findings, an aborted exchange)
// keeps its own line, and every exchange stays in the traffic file and the inspector.
import { lineDestination, writesToTerminal, type ConsoleLogger } from '../log/logger.js';
import { terminalText } from '../log/terminal-text.js';
import type { RepeatedRefusal, TrafficRecord } from './record.js';
import { describeRepeated } from './repeated-refusals.js';

/** Ordinary exchanges shown one by one per second on a terminal before the rest are summed up. */
export const LINES_PER_SECOND = 20;
const WINDOW_MS = 1000;

export interface ConsoleLinesOptions {
  /** Sum up bursts (a terminal); otherwise every exchange gets its line (log collectors read them all). */
  readonly summarise: boolean;
  /** Where the records are, for the summary line. */
  readonly trafficDir: string;
}

export class ConsoleLines {
  #windowStart = 0;
  #shown = 0;
  #hidden = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: ConsoleLogger,
    private readonly options: ConsoleLinesOptions,
  ) {}

  write(record: TrafficRecord): void {
    if (!this.options.summarise || worthALook(record) || this.logger.isLevelEnabled('debug')) {
      writeConsoleLine(this.logger, record);
      return;
    }
    const now = Date.now();
    if (now - this.#windowStart >= WINDOW_MS) {
      this.flush();
      this.#windowStart = now;
      this.#shown = 0;
    }
    if (this.#shown < LINES_PER_SECOND) {
      this.#shown++;
      writeConsoleLine(this.logger, record);
      return;
    }
    const statusClass = `${Math.floor(record.status / 100)}xx`;
    this.#hidden.set(statusClass, (this.#hidden.get(statusClass) ?? 0) + 1);
    this.#timer ??= setTimeout(() => this.flush(), this.#windowStart + WINDOW_MS - now).unref();
  }

  /** Prints the summary of what was held back, if anything. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#hidden.size === 0) return;
    const counts = [...this.#hidden].map(([statusClass, count]) => `${count.toLocaleString('en-US')} x ${statusClass}`);
    const total = [...this.#hidden.values()].reduce((sum, count) => sum + count, 0);
    this.#hidden = new Map();
    // The count is in the sentence already; log collectors also get it as a field.
    this.logger.info(
      writesToTerminal(this.logger) ? undefined : { moreExchanges: total },
      `... and ${total.toLocaleString('en-US')} more exchanges (${counts.join(', ')}) not listed here: every one is in ${this.options.trafficDir} and the inspector at /__proxy/`,
    );
  }
}

function worthALook(record: TrafficRecord): boolean {
  return record.status === 0 || record.status >= 400 || record.error !== undefined || record.aborted === true || record.hint !== undefined || record.findings !== undefined;
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
    repeated: record.repeated,
    operation: record.operation?.id,
    findings: record.findings?.length,
  };
  const findings = record.findings === undefined ? '' : ` ${record.findings.length} finding${record.findings.length === 1 ? '' : 's'}`;
  // The method, URL and operation come from the client and the document: their control characters shown escaped, as in every command's output.
  const message = terminalText(`${record.method} ${record.url} ${record.aborted ? 'aborted' : record.status} ${String(line.ms)}ms${record.operation ? ` ${record.operation.id}` : ''}${findings}`);
  const warning = record.error !== undefined || record.status >= 500;
  const debugging = logger.isLevelEnabled('debug');
  const destination = debugging ? undefined : lineDestination(logger);
  if (destination) {
    if (logger.isLevelEnabled(warning ? 'warn' : 'info')) destination.write(exchangeLine(warning ? WARN_LEVEL : INFO_LEVEL, line, message));
    return;
  }
  if (writesToTerminal(logger)) {
    // A person reads this: the fields go into the sentence, not into JSON after it. Headers only when debugging.
    const readable = readableLine(line, message);
    const headers = debugging ? { requestHeaders: record.request.headers, responseHeaders: record.response.headers } : undefined;
    if (warning) logger.warn(headers, readable);
    else logger.info(headers, readable);
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

/** "[dev] GET /t/clients 403 29ms, queued 12ms, error upstream_connection_reset, 2,000 times until ...: hint" */
function readableLine(line: Record<string, unknown>, message: string): string {
  let text = line.tag === undefined ? message : `[${String(line.tag)}] ${message}`;
  if (line.queuedMs !== undefined) text += `, queued ${String(line.queuedMs)}ms`;
  if (line.error !== undefined) text += `, error ${String(line.error)}`;
  if (line.repeated !== undefined) text += `, ${describeRepeated(line.repeated as RepeatedRefusal)}`;
  if (line.hint !== undefined) text += `: ${String(line.hint)}`;
  return text;
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
