import path from 'node:path';
import { writesToTerminal, type ConsoleLogger } from '../../log/logger.js';
import { ConsoleLines } from '../console-lines.js';
import type { RecordSink } from './sink.js';

/** One console line per exchange (bursts summed up on a terminal). */
export function consoleLineSink(logDir: string, logger: ConsoleLogger): RecordSink {
  const lines = new ConsoleLines(logger, { summarise: writesToTerminal(logger), trafficDir: path.resolve(logDir) });
  return {
    name: 'console',
    write: (record) => lines.write(record),
    close: () => lines.flush(),
  };
}
