import os from 'node:os';
import type { RunningInstance } from '../instance/start-instance.js';
import type { ConsoleLogger } from '../log/logger.js';

/** After a second signal, how long the traffic file may take to flush before the process exits regardless. */
const FLUSH_DEADLINE_MS = 2_000;

/**
 * Keeps the instances running until SIGINT or SIGTERM, then closes them: in-flight
 * exchanges get `graceMs` to finish, then the features flush (exit 0). A second signal
 * cuts every connection at once and exits with 128 + the signal number.
 */
export function serveUntilSignal(instances: readonly RunningInstance[], logger: ConsoleLogger, graceMs: number): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn(`${signal} again: stopping now`);
        // Cutting every connection ends the exchanges (recorded as aborted) and lets the close
        // already under way flush the traffic file; the deadline covers a flush that hangs.
        for (const instance of instances) instance.app.server.closeAllConnections();
        const code = 128 + (os.constants.signals[signal] ?? 2);
        setTimeout(() => process.exit(code), FLUSH_DEADLINE_MS).unref();
        logger.flush();
        resolve(code);
        return;
      }
      stopping = true;
      logger.info(`${signal} received: finishing in-flight requests (up to ${graceMs} ms), press Ctrl+C again to stop at once`);
      const forceTimer = setTimeout(() => {
        logger.warn('grace period over: closing the remaining connections');
        for (const instance of instances) instance.app.server.closeAllConnections();
      }, graceMs);
      forceTimer.unref();
      void Promise.allSettled(instances.map((instance) => instance.close())).then(() => {
        clearTimeout(forceTimer);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        logger.info('stopped');
        logger.flush();
        resolve(0);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
