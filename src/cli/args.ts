import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../config/errors.js';
import { loadConfig, type ProxyConfig } from '../config/load.js';
import { SETTINGS, fileFormOf } from '../config/settings.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCommandLine {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** Options every command that reads the configuration accepts: one flag per setting. */
export const SETTING_OPTIONS: OptionSpecs = Object.fromEntries(
  SETTINGS.map((spec) => [spec.flag, { type: spec.kind === 'boolean' ? 'boolean' : 'string' } as const]),
);

export const CONFIG_SOURCE_OPTIONS: OptionSpecs = {
  config: { type: 'string' },
  'env-file': { type: 'string' },
};

export function parseCommandLine(command: string, argv: readonly string[], options: OptionSpecs): ParsedCommandLine {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
      allowNegative: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UserError(`${message}. Run "ons-proxy ${command} --help" to see the options.`);
  }
}

/** Loads the configuration profiles for a command, with flags as the strongest source. */
export function configFromCommandLine(parsed: ParsedCommandLine, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ProxyConfig[] {
  const configFlag = stringFlag(parsed, 'config') ?? env.ONS_PROXY_CONFIG;
  const envFileFlag = stringFlag(parsed, 'env-file');
  const configFile = configFlag ? path.resolve(cwd, configFlag) : undefined;
  const envFile = envFileFlag ? path.resolve(cwd, envFileFlag) : undefined;
  return loadConfig({ flags: parsed.values, env, cwd, configFile, envFile });
}

/** One warning per secret given as a flag: every local user can read a command line (ps, /proc). */
export function secretFlagWarnings(parsed: ParsedCommandLine): string[] {
  return SETTINGS.filter((spec) => spec.kind === 'secret' && parsed.values[spec.flag] !== undefined).map((spec) => {
    const file = fileFormOf(spec);
    const instead = file ? `--${file.flag} <file> (${file.env})` : spec.env;
    return `--${spec.flag} on the command line can be read by every user of this machine (ps): use ${instead} instead.`;
  });
}

export function stringFlag(parsed: ParsedCommandLine, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A comma-separated flag ("a, b,c") as its items; absent means none. */
export function listFlag(parsed: ParsedCommandLine, name: string): string[] {
  return (stringFlag(parsed, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
