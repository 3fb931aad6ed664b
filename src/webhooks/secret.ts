// The webhook secret of the connector (generated on its page in the Ons Dashboard). It is
// read from a file or the environment, never echoed, never recorded; given as a flag it
// works but draws a warning, as every local user can read a command line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { UserError } from '../config/errors.js';
import { readSecretFile } from '../config/secret-file.js';

export const SECRET_FILE_ENV = 'ONS_PROXY_WEBHOOK_SECRET_FILE';
export const SECRET_ENV = 'ONS_PROXY_WEBHOOK_SECRET';

/**
 * The webhook commands' own settings, for the README's settings table and .env.example
 * (scripts/render-docs.mjs). They are not proxy settings: the proxy never reads the secret.
 */
export const WEBHOOK_SETTINGS = [
  { env: SECRET_FILE_ENV, flag: 'secret-file', kind: 'path', defaultText: 'none', description: "File whose first line is the connector's webhook secret (generated on its page in the Ons Dashboard): webhooks trigger, handshake and replay --resign sign with it, listen and verify check X-Signature-SHA512 with it." },
  { env: SECRET_ENV, flag: 'secret', kind: 'secret', defaultText: 'none', description: `The webhook secret itself, when a file is not possible. Never echoed or recorded. As a flag every local user can read it (ps): prefer ${SECRET_FILE_ENV}.` },
] as const;

export interface SecretSources {
  /** --secret-file */
  readonly file?: string | undefined;
  /** --secret (discouraged) */
  readonly flag?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** --env-file; otherwise ./.env when present. */
  readonly envFile?: string | undefined;
}

export interface WebhookSecret {
  readonly value: string;
  /** Where it came from, for messages (never the value). */
  readonly source: string;
  readonly warning?: string;
}

/** The secret, or undefined when none is configured anywhere. */
export function findWebhookSecret(sources: SecretSources): WebhookSecret | undefined {
  if (sources.file !== undefined) return { value: readSecretFile(path.resolve(sources.cwd, sources.file), '--secret-file'), source: sources.file };
  if (sources.flag !== undefined) {
    if (sources.flag.trim() === '') throw new UserError('--secret is empty: give the secret in a file with --secret-file <file> (or ONS_PROXY_WEBHOOK_SECRET_FILE).');
    return { value: sources.flag, source: '--secret', warning: `--secret on the command line can be read by every user of this machine (ps): use --secret-file <file> (${SECRET_FILE_ENV}) instead.` };
  }
  const env = { ...dotenvValues(sources), ...definedOnly(sources.env) };
  const file = env[SECRET_FILE_ENV];
  if (file !== undefined && file !== '') return { value: readSecretFile(path.resolve(sources.cwd, file), SECRET_FILE_ENV), source: SECRET_FILE_ENV };
  // Empty means unset, as for every setting (a copied .env.example leaves it empty).
  const value = env[SECRET_ENV];
  return value === undefined || value === '' ? undefined : { value, source: SECRET_ENV };
}

/** The secret, for the commands that cannot work without it. */
export function requireWebhookSecret(sources: SecretSources, command: string): WebhookSecret {
  const secret = findWebhookSecret(sources);
  if (secret) return secret;
  throw new UserError(
    `${command} signs with the connector's webhook secret, and none is configured: put it on the first line of a file and name that file with --secret-file <file> or ${SECRET_FILE_ENV} (the Ons Dashboard generates it on the connector's page).`,
  );
}

function dotenvValues(sources: SecretSources): Record<string, string> {
  const file = sources.envFile === undefined ? path.join(sources.cwd, '.env') : path.resolve(sources.cwd, sources.envFile);
  try {
    return dotenv.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    if (sources.envFile === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UserError(`Cannot read the env file ${file}: ${(error as Error).message}.`);
  }
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
