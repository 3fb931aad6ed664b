import type { RunningInstance } from '../instance/start-instance.js';
import type { ConsoleLogger } from '../traffic/console.js';

/**
 * Keeps the instances running until SIGINT or SIGTERM, then closes them: in-flight
 * exchanges get `graceMs` to finish. A second signal stops at once.
 */
export function serveUntilSignal(instances: readonly RunningInstance[], logger: ConsoleLogger, graceMs: number): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn(`${signal} again: stopping now`);
        for (const instance of instances) instance.app.server.closeAllConnections();
        logger.flush();
        resolve(130);
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
