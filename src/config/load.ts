import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ConfigError } from './errors.js';
import { parseSettingValue, type SettingValue, type ValueOrigin } from './parse-value.js';
import { DEFAULTS, SETTINGS, type SettingValues } from './settings.js';
import { loadEnvironmentPresets, type EnvironmentPreset } from './presets.js';
import { readSecretFile } from './secret-file.js';

/** One proxy instance's configuration: every setting resolved, plus what it was derived from. */
export interface ProxyConfig extends Omit<SettingValues, 'upstream'> {
  /** Profile name: "default", or the key in the config file's "profiles". */
  readonly name: string;
  upstream: string;
  readonly preset: EnvironmentPreset;
  /**
   * The certificate is one the proxy generated itself for `ons-proxy demo` (for the embedded mock,
   * never for Ons): the warnings about Ons's rules for real certificates do not apply to it. No
   * setting, flag or config file sets this; only the demo command does.
   */
  readonly throwawayCertificate?: boolean | undefined;
  /**
   * Host names the upstream stands in for: `ons-proxy demo` runs a local mock of the development
   * API, and HTTP_PROXY-style clients still name api-development.ons.io in their requests. Those
   * are served like requests naming the upstream itself. Only the demo and replay set this.
   */
  readonly upstreamStandsFor?: readonly string[] | undefined;
}

export interface ConfigInput {
  /** Flag values keyed by flag name, as util.parseArgs returns them. */
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Path of a JSON config file (--config). */
  readonly configFile?: string | undefined;
  /** The .env file to read; defaults to <cwd>/.env when it exists. */
  readonly envFile?: string | undefined;
  /** Settings a program passes (the package's startProxy), keyed like a config file; strongest of all sources. */
  readonly settings?: Readonly<Record<string, unknown>> | undefined;
  /** Whether to read <cwd>/.env when envFile is not given (default true). */
  readonly readDotenv?: boolean | undefined;
}

type Layer = Partial<Record<keyof SettingValues, SettingValue>>;
type RawRecord = Record<string, unknown>;

const SETTING_KEYS = new Set<string>(SETTINGS.map((s) => s.key));

/**
 * Resolves the configuration, strongest source first: flags, environment, .env, the
 * config file (a profile's own values over the file's shared ones), then the preset of
 * the chosen environment. Returns one ProxyConfig per profile.
 */
export function loadConfig(input: ConfigInput): ProxyConfig[] {
  const programLayer = input.settings ? layerFromRecord(input.settings, { label: 'the settings passed to startProxy', baseDir: input.cwd }, 'the settings passed to startProxy') : {};
  const flagLayer = layerFromStrings(input.flags, (spec) => spec.flag, { label: 'the command line', baseDir: input.cwd });
  const envLayer = layerFromStrings(input.env, (spec) => spec.env, { label: 'the environment', baseDir: input.cwd });
  const dotenvLayer = readDotenvLayer(input);
  const file = input.configFile ? readConfigFile(input.configFile) : undefined;
  const presets = loadEnvironmentPresets();

  const profileEntries: Array<[string, Layer]> = file?.profiles.length ? file.profiles : [['default', {}]];
  const configs = profileEntries.map(([name, profileLayer]) => {
    const merged: Layer = { ...file?.shared, ...profileLayer, ...dotenvLayer, ...envLayer, ...flagLayer, ...programLayer };
    return resolveProfile(name, merged, presets);
  });
  assertDistinctListeners(configs);
  return configs;
}

function resolveProfile(name: string, layer: Layer, presets: Record<string, EnvironmentPreset>): ProxyConfig {
  const values = { ...DEFAULTS } as Record<keyof SettingValues, SettingValue>;
  for (const [key, value] of Object.entries(layer) as Array<[keyof SettingValues, SettingValue]>) {
    if (value !== undefined) values[key] = value;
  }
  const settings = values as unknown as SettingValues;
  if (settings.accessTokenFile !== undefined) {
    if (settings.accessToken !== undefined) {
      throw new ConfigError('ONS_PROXY_ACCESS_TOKEN (--access-token) and ONS_PROXY_ACCESS_TOKEN_FILE (--access-token-file) are both set: keep only the file.');
    }
    settings.accessToken = readSecretFile(settings.accessTokenFile, 'ONS_PROXY_ACCESS_TOKEN_FILE (--access-token-file)');
  }
  const preset = presets[settings.environment];
  if (!preset) throw new ConfigError(`ONS_PROXY_ENVIRONMENT: no preset for "${settings.environment}" in config/environments.json.`);
  return {
    ...settings,
    name,
    upstream: settings.upstream ?? preset.upstream,
    logRetentionDays: settings.logRetentionDays ?? preset.logRetentionDays,
    logMaxBytes: settings.logMaxBytes ?? preset.logMaxBytes,
    preset,
  };
}

function layerFromStrings(
  source: Readonly<Record<string, string | boolean | undefined>>,
  nameOf: (spec: (typeof SETTINGS)[number]) => string,
  origin: ValueOrigin,
): Layer {
  const layer: Layer = {};
  for (const spec of SETTINGS) {
    const raw = source[nameOf(spec)];
    if (raw === undefined) continue;
    const value = parseSettingValue(spec, raw, origin);
    if (value !== undefined) layer[spec.key] = value;
  }
  return layer;
}

function readDotenvLayer(input: ConfigInput): Layer {
  if (input.envFile === undefined && input.readDotenv === false) return {};
  const file = input.envFile ?? path.join(input.cwd, '.env');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (input.envFile === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`Cannot read the .env file ${file}: ${(error as Error).message}.`);
  }
  // dotenv.parse only parses: it never touches process.env, so the real environment keeps precedence.
  const parsed = dotenv.parse(text);
  return layerFromStrings(parsed, (spec) => spec.env, { label: `.env file ${file}`, baseDir: path.dirname(file) });
}

interface ConfigFileLayers {
  shared: Layer;
  profiles: Array<[string, Layer]>;
}

function readConfigFile(file: string): ConfigFileLayers {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the file does not exist' : code ? (error as Error).message : `it is not valid JSON (${(error as Error).message})`;
    throw new ConfigError(`Cannot use the config file ${file} (--config): ${reason}.`);
  }
  if (!isRecord(raw)) throw new ConfigError(`The config file ${file} must hold a JSON object of settings.`);
  const origin = (where: string): ValueOrigin => ({ label: `${where} in config file ${file}`, baseDir: path.dirname(file) });
  const { profiles, ...shared } = raw;
  const layers: ConfigFileLayers = { shared: layerFromRecord(shared, origin('the top level'), `config file ${file}`), profiles: [] };
  if (profiles === undefined) return layers;
  if (!isRecord(profiles)) throw new ConfigError(`"profiles" in ${file} must be an object: { "development": { ... }, "staging": { ... } }.`);
  for (const [name, profile] of Object.entries(profiles)) {
    if (!isRecord(profile)) throw new ConfigError(`Profile "${name}" in ${file} must be an object of settings.`);
    layers.profiles.push([name, layerFromRecord(profile, origin(`profile "${name}"`), `config file ${file}`)]);
  }
  return layers;
}

function layerFromRecord(record: Readonly<RawRecord>, origin: ValueOrigin, source: string): Layer {
  const layer: Layer = {};
  for (const [key, raw] of Object.entries(record)) {
    if (key.startsWith('$')) continue; // "$comment" and "$schema" are documentation
    if (!SETTING_KEYS.has(key)) {
      throw new ConfigError(`Unknown setting "${key}" in ${source}. Known settings: ${[...SETTING_KEYS].join(', ')}.`);
    }
    const spec = SETTINGS.find((s) => s.key === key);
    if (spec) {
      const value = parseSettingValue(spec, raw, origin);
      if (value !== undefined) layer[spec.key] = value;
    }
  }
  return layer;
}

function assertDistinctListeners(configs: ProxyConfig[]): void {
  const seen = new Map<string, string>();
  for (const config of configs) {
    if (config.port === 0) continue;
    const address = `${config.host}:${config.port}`;
    const other = seen.get(address);
    if (other !== undefined) {
      throw new ConfigError(`Profiles "${other}" and "${config.name}" both listen on ${address}: give each profile its own "port" in the config file (a port from the environment or flags applies to every profile).`);
    }
    seen.set(address, config.name);
  }
}

function isRecord(value: unknown): value is RawRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
