import type { ConsoleLogger } from '../../log/logger.js';
import { openTrafficFileSink } from '../file-sink.js';
import type { RecordSink } from './sink.js';

/** One NDJSON line per record in <logDir>/traffic-YYYY-MM-DD.ndjson; a failing disk is logged and never stops the proxying. */
export function trafficFileSink(logDir: string, logger: ConsoleLogger): RecordSink {
  const file = openTrafficFileSink(
    logDir,
    (message) => logger.error(`traffic records are not being written: ${message}. Proxying goes on.`),
    (message) => logger.warn(message),
  );
  return {
    name: 'traffic-file',
    write: (_record, json) => file.write(json),
    status: () => ({ ...file.status() }),
    close: () => file.close(),
  };
}
