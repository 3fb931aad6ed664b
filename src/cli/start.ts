import { startInstance, type RunningInstance } from '../instance/start-instance.js';
import { createConsoleLogger } from '../log/logger.js';
import { CONFIG_SOURCE_OPTIONS, SETTING_OPTIONS, configFromCommandLine, secretFlagWarnings } from './args.js';
import type { Command } from './command.js';
import { serveUntilSignal } from './serve.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'Run the proxy: plain HTTP on localhost in, mTLS with your certificate out.',
  usage: 'ons-proxy start [options]',
  readsSettings: true,
  options: { ...SETTING_OPTIONS, ...CONFIG_SOURCE_OPTIONS },
  optionHelp: [],
  async run(parsed) {
    const configs = configFromCommandLine(parsed);
    const first = configs[0];
    if (!first) return 2;
    const logger = createConsoleLogger(first.logLevel);
    for (const warning of secretFlagWarnings(parsed)) logger.warn(warning);
    const instances: RunningInstance[] = [];
    try {
      for (const config of configs) instances.push(await startInstance(config, { logger }));
    } catch (error) {
      await Promise.allSettled(instances.map((instance) => instance.close()));
      throw error;
    }
    for (const instance of instances) {
      const profile = instance.config.name === 'default' ? '' : ` [${instance.config.name}]`;
      logger.info(`ons-proxy${profile} listening on ${instance.url} -> ${instance.config.upstream} (${instance.config.environment})`);
    }
    return serveUntilSignal(instances, logger, first.shutdownGraceMs);
  },
};
