// `ons-proxy webhooks <trigger|handshake|listen|replay|verify|redeliver>`: Ons's webhooks on a
// laptop. Each subcommand is a file of its own; this one holds their options and what they share.
import { printError } from './output.js';
import { UserError } from '../config/errors.js';
import type { ProxyConfig } from '../config/load.js';
import { createConsoleLogger, type ConsoleLogger } from '../log/logger.js';
import { DEFAULT_SIGNATURE_ENCODING, SIGNATURE_ENCODINGS, type RecordSettings, type SignatureEncoding, type WebhookSecret } from '../webhooks/index.js';
import { findWebhookSecret, requireWebhookSecret, type SecretSources } from '../webhooks/secret.js';
import { configFromCommandLine, stringFlag, type ParsedCommandLine } from './args.js';
import type { Command } from './command.js';
import { RECORD_FILTER_HELP, RECORD_FILTER_OPTIONS } from './record-selection.js';

export type WebhooksSubcommand = (parsed: ParsedCommandLine, args: readonly string[]) => Promise<number>;

const SUBCOMMANDS: Readonly<Record<string, () => Promise<WebhooksSubcommand>>> = {
  trigger: async () => (await import('./webhooks-send.js')).webhooksTrigger,
  handshake: async () => (await import('./webhooks-send.js')).webhooksHandshake,
  replay: async () => (await import('./webhooks-send.js')).webhooksReplay,
  listen: async () => (await import('./webhooks-listen.js')).webhooksListen,
  verify: async () => (await import('./webhooks-verify.js')).webhooksVerify,
  redeliver: async () => (await import('./webhooks-redeliver.js')).webhooksRedeliver,
};

export const webhooksCommand: Command = {
  name: 'webhooks',
  summary: "Ons's webhooks on a laptop: send signed events (trigger, handshake), receive and record them (listen), resend recorded ones (replay), settle the signature encoding (verify), ask Ons to redeliver.",
  usage: 'ons-proxy webhooks trigger <model.EVENT> --to <url> | handshake --to <url> | listen --forward-to <url> | replay --to <url> | verify <record id> | redeliver',
  readsSettings: false,
  options: {
    ...RECORD_FILTER_OPTIONS,
    to: { type: 'string' },
    id: { type: 'string' },
    payload: { type: 'string', multiple: true },
    customer: { type: 'string' },
    retries: { type: 'string' },
    list: { type: 'boolean' },
    count: { type: 'string' },
    shuffle: { type: 'boolean' },
    seed: { type: 'string' },
    duplicate: { type: 'boolean' },
    rate: { type: 'string' },
    resign: { type: 'boolean' },
    'secret-file': { type: 'string' },
    secret: { type: 'string' },
    'signature-encoding': { type: 'string' },
    'forward-to': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'unsafe-listen': { type: 'boolean' },
    body: { type: 'string' },
    signature: { type: 'string' },
    proxy: { type: 'string' },
  },
  optionHelp: [
    ['trigger <model.EVENT>...', 'send signed events as Ons does (3 s timeout) and say whether the answers are what Ons expects; --list lists the models and events'],
    ['  --to <url>', 'where the receiver listens, e.g. http://localhost:3000/events'],
    ['  --id <n>', 'the changed record of a CRUD event (client.UPDATE --id 4711)'],
    ['  --payload <key=value>', "a CUSTOM event's payload field; repeat for more (employee_schedule_changed --payload employeeId=12)"],
    ['  --customer <code>', 'customerCode [TE1002]'],
    ['  --retries <n>', 'amountOfRetries [0]'],
    ['  --count <n>', 'send the events n times each'],
    ['  --shuffle, --seed <n>', 'send in a shuffled order, the same for the same seed [seed 1]'],
    ['  --duplicate', 'send every delivery twice'],
    ['  --rate <n/s>', 'start n deliveries a second without waiting for answers, as Ons does in bulk'],
    ['handshake --to <url>', "Ons's NOP pair, one badly signed: passes when the receiver answers 200 and 401"],
    ['listen --forward-to <url>', 'receive deliveries on a port of their own, forward them byte for byte, record them and warn about answers Ons would not accept'],
    ['  --port <n>, --host <addr>', 'where listen listens [8090 on 127.0.0.1; another address needs --unsafe-listen]'],
    ['  --path <path>', 'the one path listen answers POST on [/events]'],
    ['replay --to <url>', 'resend recorded deliveries (those listen received; --id picks any), byte for byte with their signature; the record filters below apply'],
    ['  --resign', 'sign them again with the configured secret'],
    ['verify <record id>', 'which signature encoding a captured delivery uses; or --body <file> --signature <header value>'],
    ['redeliver', "PUT /webhooks/redeliver through the running proxy: Ons sends the events that failed in the last 24 h again"],
    ['  --proxy <url>', 'the running proxy [http://<ONS_PROXY_HOST>:<ONS_PROXY_PORT>, i.e. http://127.0.0.1:8080]'],
    ['--secret-file <file>', 'file whose first line is the webhook secret [ONS_PROXY_WEBHOOK_SECRET_FILE, or ONS_PROXY_WEBHOOK_SECRET]'],
    ['--signature-encoding <hex|base64>', `how X-Signature-SHA512 is written [${DEFAULT_SIGNATURE_ENCODING}: an assumption, Ons does not publish it; "verify" settles it]`],
    ...RECORD_FILTER_HELP,
  ],
  async run(parsed) {
    const [name, ...args] = parsed.positionals;
    const load = name === undefined ? undefined : Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
    if (!load) throw new UserError(`${name === undefined ? 'Say what to do' : `Unknown subcommand "${name}"`}: ons-proxy webhooks ${Object.keys(SUBCOMMANDS).join(', ')}. Run "ons-proxy webhooks --help".`);
    return (await load())(parsed, args);
  },
};

/** The configuration's first profile: its log folder and redaction settings are where deliveries are recorded. */
export function webhookConfig(parsed: ParsedCommandLine): ProxyConfig {
  const [config] = configFromCommandLine(parsed);
  if (!config) throw new UserError('No configuration profile resolved.');
  return config;
}

export function recordSettingsOf(config: ProxyConfig): RecordSettings {
  return { logDir: config.logDir, profile: config.name, tag: config.logTag, logBodies: config.logBodies, redactHeaders: config.redactHeaders, redactFields: config.redactFields, accessToken: config.accessToken };
}

/** The logger of a sending command: its own lines go to stdout, so problems go to stderr. */
export function stderrLogger(config: ProxyConfig): ConsoleLogger {
  return createConsoleLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
}

function secretSources(parsed: ParsedCommandLine): SecretSources {
  return { file: stringFlag(parsed, 'secret-file'), flag: stringFlag(parsed, 'secret'), env: process.env, cwd: process.cwd(), envFile: stringFlag(parsed, 'env-file') };
}

function warnAbout(secret: WebhookSecret | undefined): WebhookSecret | undefined {
  if (secret?.warning !== undefined) printError(`ons-proxy: warning: ${secret.warning}\n`);
  return secret;
}

export function requiredSecret(parsed: ParsedCommandLine, command: string): WebhookSecret {
  return warnAbout(requireWebhookSecret(secretSources(parsed), command)) as WebhookSecret;
}

export function optionalSecret(parsed: ParsedCommandLine): WebhookSecret | undefined {
  return warnAbout(findWebhookSecret(secretSources(parsed)));
}

export function signatureEncoding(parsed: ParsedCommandLine): SignatureEncoding {
  const text = stringFlag(parsed, 'signature-encoding');
  if (text === undefined) return DEFAULT_SIGNATURE_ENCODING;
  const lower = text.toLowerCase();
  if ((SIGNATURE_ENCODINGS as readonly string[]).includes(lower)) return lower as SignatureEncoding;
  throw new UserError(`--signature-encoding ${text}: write hex or base64 ("ons-proxy webhooks verify" tells which one Ons uses, from one real delivery).`);
}

/** A whole-number flag, within bounds. */
export function integerFlag(parsed: ParsedCommandLine, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = stringFlag(parsed, name);
  if (text === undefined) return fallback;
  const value = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new UserError(`--${name} ${text}: give a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' on' : ` to ${max}`}.`);
  return value;
}

/** Every value of a flag given more than once (--payload a=1 --payload b=2). */
export function repeatedFlag(parsed: ParsedCommandLine, name: string): string[] {
  const value = (parsed.values as Readonly<Record<string, unknown>>)[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}
