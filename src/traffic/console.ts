import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { CompletedExchange } from '../proxy/exchange.js';
import type { ProxyFeature } from '../proxy/feature.js';

export type ConsoleLogger = Logger;

/** The one console logger: readable on a terminal, JSON lines otherwise (for log collectors). */
export function createConsoleLogger(level: string, destination: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): ConsoleLogger {
  const options = { level, base: undefined, redact: { paths: ['passphrase', 'key', 'authorization'], censor: '[redacted]' } };
  if (destination.isTTY) {
    return pino(options, pretty({ destination: 1, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }));
  }
  return pino(options, pino.destination({ dest: 1, sync: false }));
}

/** One console line per exchange: method, path, status, duration. */
export function consoleExchangeLines(logger: ConsoleLogger, tag: string | undefined): ProxyFeature {
  return {
    name: 'console-lines',
    onExchangeComplete({ request, exchange, status, durationMs, aborted }: CompletedExchange): void {
      const line = {
        id: exchange.id,
        method: request.method,
        url: request.url,
        status,
        ms: Math.round(durationMs * 10) / 10,
        ...(tag ? { tag } : {}),
        ...(aborted ? { aborted: true } : {}),
        ...(exchange.error ? { error: exchange.error.code } : {}),
        ...(exchange.hint ? { hint: exchange.hint } : {}),
      };
      const message = `${request.method} ${request.url} ${aborted ? 'aborted' : status} ${line.ms}ms`;
      if (exchange.error || status >= 500) logger.warn(line, message);
      else logger.info(line, message);
    },
  };
}
