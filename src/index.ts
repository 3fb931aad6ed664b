/**
 * The package's programmatic surface (`import { startProxy } from 'ons-mtls-proxy'`), for a
 * program or a test runner that wants the proxy in-process instead of the `ons-proxy` command.
 * It resolves settings as the command does, minus the command's sources: no flags, no .env and
 * no environment variables unless the caller hands them over.
 */
import type { ProxyConfig } from './config/load.js';
import { loadConfig } from './config/load.js';
import type { SettingValues } from './config/settings.js';
import { startInstance } from './instance/start-instance.js';
import { createConsoleLogger } from './log/logger.js';

/** Settings keyed as in a config file (`{ environment: 'staging', cert: 'certs/staging.pem' }`). */
export type ProxySettings = Partial<SettingValues>;

export interface StartProxyOptions {
  /** Relative paths in the settings are resolved against this folder (default: process.cwd()). */
  readonly cwd?: string;
  /** ONS_PROXY_* variables to read beneath the settings, e.g. process.env (default: none). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface RunningProxy {
  /** Where clients reach the proxy, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  /** Every setting as resolved, presets applied. */
  readonly config: ProxyConfig;
  /** Stops listening, lets open exchanges end and writes the traffic file. */
  close(): Promise<void>;
}

/**
 * Checks the settings and the certificate, then listens. Anything the user must fix rejects
 * with a UserError whose message says what is wrong and how to fix it.
 */
export async function startProxy(settings: ProxySettings = {}, options: StartProxyOptions = {}): Promise<RunningProxy> {
  const [config] = loadConfig({ flags: {}, env: options.env ?? {}, cwd: options.cwd ?? process.cwd(), settings, readDotenv: false });
  if (config === undefined) throw new Error('loadConfig resolved no profile');
  const instance = await startInstance(config, { logger: createConsoleLogger(config.logLevel) });
  return { url: instance.url, config: instance.config, close: () => instance.close() };
}

export type { ProxyConfig } from './config/load.js';
export { UserError, ConfigError } from './config/errors.js';
export { TrafficRecordSchema, type TrafficRecord, type TrafficMessage, type RecordHeaders, type BodyEncoding } from './traffic/record.js';
export { readRecords, type ReadRecordsOptions } from './traffic/reader.js';
