// Every setting the proxy understands, declared once. Flags, environment variables,
// --help, .env.example and the README's table are all derived from this list, so a
// setting cannot exist in one place and be missing in another.

export type SettingKind = 'string' | 'path' | 'secret' | 'url' | 'integer' | 'boolean' | 'list' | 'enum';

export interface SettingSpec {
  readonly key: keyof SettingValues;
  readonly env: string;
  readonly flag: string;
  readonly kind: SettingKind;
  readonly description: string;
  readonly group: 'upstream' | 'certificate' | 'listener' | 'traffic' | 'ons' | 'access';
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Shown in docs; the actual default lives in DEFAULTS so types stay exact. */
  readonly defaultText?: string;
}

export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export type OnsEnvironment = (typeof ENVIRONMENTS)[number];

/** The resolved settings of one proxy instance (one profile). */
export interface SettingValues {
  environment: OnsEnvironment;
  upstream: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  pfx: string | undefined;
  passphrase: string | undefined;
  passphraseFile: string | undefined;
  ca: string | undefined;
  host: string;
  port: number;
  unsafeListen: boolean;
  logDir: string;
  logTag: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  timeoutMs: number;
  connectTimeoutMs: number;
  logBodies: boolean;
  logBodyLimit: number;
  /** undefined until resolved: then the environment preset's. */
  logRetentionDays: number | undefined;
  logMaxBytes: number | undefined;
  captureFull: boolean;
  redactHeaders: string[];
  redactFields: string[];
  inspectorLimit: number;
  fixturesDir: string;
  maxConcurrency: number;
  queueLimit: number;
  queueTimeoutMs: number;
  userAgent: string | undefined;
  allowProduction: boolean;
  allowWrites: boolean;
  force: boolean;
  allowedHosts: string[];
  corsOrigins: string[];
  accessToken: string | undefined;
  accessTokenFile: string | undefined;
  shutdownGraceMs: number;
  openapi: string | undefined;
  findingsHeader: boolean;
  design: string | undefined;
  designBlockedStatus: number;
  designFilteredFields: 'absent' | 'null';
}

export const DEFAULTS: SettingValues = {
  environment: 'development',
  upstream: undefined,
  cert: undefined,
  key: undefined,
  pfx: undefined,
  passphrase: undefined,
  passphraseFile: undefined,
  ca: undefined,
  host: '127.0.0.1',
  port: 8080,
  unsafeListen: false,
  logDir: './logs',
  logTag: undefined,
  logLevel: 'info',
  timeoutMs: 120_000,
  connectTimeoutMs: 10_000,
  logBodies: true,
  logBodyLimit: 1_048_576,
  logRetentionDays: undefined,
  logMaxBytes: undefined,
  captureFull: false,
  redactHeaders: [],
  redactFields: [],
  inspectorLimit: 500,
  fixturesDir: './fixtures',
  maxConcurrency: 4,
  queueLimit: 1000,
  queueTimeoutMs: 120_000,
  userAgent: undefined,
  allowProduction: false,
  allowWrites: false,
  force: false,
  allowedHosts: [],
  corsOrigins: [],
  accessToken: undefined,
  accessTokenFile: undefined,
  shutdownGraceMs: 10_000,
  openapi: undefined,
  findingsHeader: false,
  design: undefined,
  designBlockedStatus: 403,
  designFilteredFields: 'absent',
};

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'environment', env: 'ONS_PROXY_ENVIRONMENT', flag: 'environment', kind: 'enum', group: 'upstream', choices: ENVIRONMENTS, description: 'Which Ons environment to reach; picks the upstream URL from config/environments.json.' },
  { key: 'upstream', env: 'ONS_PROXY_UPSTREAM', flag: 'upstream', kind: 'url', group: 'upstream', defaultText: "the environment's URL", description: 'Upstream base URL (https://...). Overrides the environment preset, e.g. for any other mTLS API.' },
  { key: 'timeoutMs', env: 'ONS_PROXY_TIMEOUT_MS', flag: 'timeout-ms', kind: 'integer', group: 'upstream', min: 1, description: 'How long to wait for the upstream\'s response headers, and at most between two body chunks (ms).' },
  { key: 'connectTimeoutMs', env: 'ONS_PROXY_CONNECT_TIMEOUT_MS', flag: 'connect-timeout-ms', kind: 'integer', group: 'upstream', min: 1, description: 'How long to wait for the TCP and TLS handshake with the upstream (ms).' },

  { key: 'cert', env: 'ONS_PROXY_CERT', flag: 'cert', kind: 'path', group: 'certificate', description: 'PEM file with the client certificate Ons signed (optionally followed by its chain).' },
  { key: 'key', env: 'ONS_PROXY_KEY', flag: 'key', kind: 'path', group: 'certificate', description: 'PEM file with the private key of that certificate (may be encrypted).' },
  { key: 'pfx', env: 'ONS_PROXY_PFX', flag: 'pfx', kind: 'path', group: 'certificate', description: 'PKCS#12 file (.p12/.pfx) holding certificate and key, instead of --cert and --key.' },
  { key: 'passphrase', env: 'ONS_PROXY_PASSPHRASE', flag: 'passphrase', kind: 'secret', group: 'certificate', description: 'Passphrase of an encrypted key or PKCS#12 file. Never logged. As a flag every local user can read it (ps): prefer --passphrase-file.' },
  { key: 'passphraseFile', env: 'ONS_PROXY_PASSPHRASE_FILE', flag: 'passphrase-file', kind: 'path', group: 'certificate', description: 'File whose first line is the passphrase (keeps it out of the process list and the environment).' },
  { key: 'ca', env: 'ONS_PROXY_CA', flag: 'ca', kind: 'path', group: 'certificate', defaultText: 'system CAs only', description: 'Extra CA bundle (PEM) to trust for the upstream\'s certificate, in addition to the system CAs.' },

  { key: 'host', env: 'ONS_PROXY_HOST', flag: 'host', kind: 'string', group: 'listener', description: 'Address to listen on. Anything but loopback needs --unsafe-listen.' },
  { key: 'port', env: 'ONS_PROXY_PORT', flag: 'port', kind: 'integer', group: 'listener', min: 0, max: 65535, description: 'Port to listen on (0 picks a free one).' },
  { key: 'unsafeListen', env: 'ONS_PROXY_UNSAFE_LISTEN', flag: 'unsafe-listen', kind: 'boolean', group: 'listener', description: 'Allow listening on a non-loopback address. Anyone who reaches it acts with your certificate.' },
  { key: 'shutdownGraceMs', env: 'ONS_PROXY_SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms', kind: 'integer', group: 'listener', min: 0, description: 'On SIGINT/SIGTERM, how long in-flight exchanges may take to finish (ms).' },

  { key: 'logDir', env: 'ONS_PROXY_LOG_DIR', flag: 'log-dir', kind: 'path', group: 'traffic', description: 'Folder for the traffic records (traffic-YYYY-MM-DD.ndjson).' },
  { key: 'logTag', env: 'ONS_PROXY_LOG_TAG', flag: 'log-tag', kind: 'string', group: 'traffic', defaultText: 'none', description: 'Tag written into every record and console line, to tell profiles apart.' },
  { key: 'logLevel', env: 'ONS_PROXY_LOG_LEVEL', flag: 'log-level', kind: 'enum', group: 'traffic', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], description: 'Console log level.' },
  { key: 'logBodies', env: 'ONS_PROXY_LOG_BODIES', flag: 'log-bodies', kind: 'boolean', group: 'traffic', description: 'Record request and response bodies (false records headers only).' },
  { key: 'logBodyLimit', env: 'ONS_PROXY_LOG_BODY_LIMIT', flag: 'log-body-limit', kind: 'integer', group: 'traffic', min: 0, description: 'Bytes of each body kept in the record, per direction. The client always gets the whole body.' },
  { key: 'logRetentionDays', env: 'ONS_PROXY_LOG_RETENTION_DAYS', flag: 'log-retention-days', kind: 'integer', group: 'traffic', min: 0, defaultText: '7 on staging and production, 30 on development', description: 'Days of traffic files kept, today included: older day files are removed at start, daily while running and by "ons-proxy logs --prune". 0 keeps them all.' },
  { key: 'logMaxBytes', env: 'ONS_PROXY_LOG_MAX_BYTES', flag: 'log-max-bytes', kind: 'integer', group: 'traffic', min: 0, defaultText: '2147483648 (2 GiB) on staging and production, 10737418240 (10 GiB) on development', description: 'Most bytes of traffic files kept in the folder: the oldest day files go first (today\'s never). 0: no limit.' },
  { key: 'captureFull', env: 'ONS_PROXY_CAPTURE_FULL', flag: 'capture-full', kind: 'boolean', group: 'traffic', description: 'Record whole bodies, whatever ONS_PROXY_LOG_BODY_LIMIT says: for a session to save as fixtures (ons-proxy fixtures save).' },
  { key: 'redactHeaders', env: 'ONS_PROXY_REDACT_HEADERS', flag: 'redact-headers', kind: 'list', group: 'traffic', defaultText: 'none (authorization, proxy-authorization, cookie, set-cookie, x-api-key always)', description: 'More header names whose values are replaced by [redacted] in every output.' },
  { key: 'redactFields', env: 'ONS_PROXY_REDACT_FIELDS', flag: 'redact-fields', kind: 'list', group: 'traffic', defaultText: 'none', description: 'Field names masked wherever they occur: JSON bodies, forms, query strings, URLs in headers, e.g. bsn,dateOfBirth.' },
  { key: 'fixturesDir', env: 'ONS_PROXY_FIXTURES_DIR', flag: 'fixtures-dir', kind: 'path', group: 'traffic', description: 'Fixture set the inspector\'s "Save as fixtures" adds to (see ons-proxy fixtures save).' },
  { key: 'inspectorLimit', env: 'ONS_PROXY_INSPECTOR_LIMIT', flag: 'inspector-limit', kind: 'integer', group: 'traffic', min: 1, description: 'How many recent exchanges the inspector at /__proxy/ keeps in memory.' },

  { key: 'maxConcurrency', env: 'ONS_PROXY_MAX_CONCURRENCY', flag: 'max-concurrency', kind: 'integer', group: 'ons', min: 1, description: 'Requests in flight upstream per certificate; Ons answers 429 above 4.' },
  { key: 'queueLimit', env: 'ONS_PROXY_QUEUE_LIMIT', flag: 'queue-limit', kind: 'integer', group: 'ons', min: 0, description: 'Requests that may wait for a free slot before the proxy answers 503.' },
  { key: 'queueTimeoutMs', env: 'ONS_PROXY_QUEUE_TIMEOUT_MS', flag: 'queue-timeout-ms', kind: 'integer', group: 'ons', min: 1, description: 'How long a request may wait for a free slot before the proxy answers 503 (ms).' },
  { key: 'userAgent', env: 'ONS_PROXY_USER_AGENT', flag: 'user-agent', kind: 'string', group: 'ons', defaultText: "the client's", description: 'User-Agent sent when the client sends none, e.g. "my_connector/1.1 (+https://example.com)".' },
  { key: 'allowProduction', env: 'ONS_PROXY_ALLOW_PRODUCTION', flag: 'allow-production', kind: 'boolean', group: 'ons', description: 'Required to use the production environment (real care data).' },
  { key: 'allowWrites', env: 'ONS_PROXY_ALLOW_WRITES', flag: 'allow-writes', kind: 'boolean', group: 'ons', description: 'Allow methods other than GET/HEAD on production.' },
  { key: 'openapi', env: 'ONS_PROXY_OPENAPI', flag: 'openapi', kind: 'string', group: 'ons', defaultText: 'the cached Ons document', description: 'The API\'s OpenAPI 3.0/3.1 document: a file, an https:// URL (fetched in the background) or off. It names each record\'s operation, catches removed /t/ paths and checks requests and answers. "ons-proxy openapi update" caches Ons\'s.' },
  { key: 'findingsHeader', env: 'ONS_PROXY_FINDINGS_HEADER', flag: 'findings-header', kind: 'boolean', group: 'ons', description: 'Add x-ons-proxy-findings to each answer: how many findings the request\'s path and query parameters have (known before the answer goes out; body and answer findings are only in the record).' },
  { key: 'design', env: 'ONS_PROXY_DESIGN', flag: 'design', kind: 'path', group: 'ons', defaultText: 'none', description: 'Technical Design file (JSON or YAML, see "ons-proxy design draft"): the proxy behaves like staging, blocking operations no use case lists and removing the fields the design does not select from GET answers.' },
  { key: 'designBlockedStatus', env: 'ONS_PROXY_DESIGN_BLOCKED_STATUS', flag: 'design-blocked-status', kind: 'integer', group: 'ons', min: 400, max: 599, description: 'Status of a call the Technical Design blocks. An assumption: Ons does not publish it (403 expected, 404 plausible).' },
  { key: 'designFilteredFields', env: 'ONS_PROXY_DESIGN_FILTERED_FIELDS', flag: 'design-filtered-fields', kind: 'enum', group: 'ons', choices: ['absent', 'null'], description: 'How a field the Technical Design does not select appears in a GET answer: absent (left out) or null. An assumption: Ons does not publish it (absent expected).' },
  { key: 'force', env: 'ONS_PROXY_FORCE', flag: 'force', kind: 'boolean', group: 'ons', description: 'Start even though the certificate belongs to another environment.' },

  { key: 'allowedHosts', env: 'ONS_PROXY_ALLOWED_HOSTS', flag: 'allowed-hosts', kind: 'list', group: 'access', defaultText: 'localhost, 127.0.0.1, [::1], the listen host', description: 'More Host header names the proxy answers to (e.g. the compose service name).' },
  { key: 'corsOrigins', env: 'ONS_PROXY_CORS_ORIGINS', flag: 'cors-origins', kind: 'list', group: 'access', defaultText: 'none', description: 'Browser origins allowed to call the proxy, e.g. http://localhost:5173.' },
  { key: 'accessToken', env: 'ONS_PROXY_ACCESS_TOKEN', flag: 'access-token', kind: 'secret', group: 'access', defaultText: 'none', description: 'Require "Proxy-Authorization: Bearer <token>" or "x-proxy-token: <token>" from clients. As a flag every local user can read it (ps): prefer --access-token-file.' },
  { key: 'accessTokenFile', env: 'ONS_PROXY_ACCESS_TOKEN_FILE', flag: 'access-token-file', kind: 'path', group: 'access', description: 'File whose first line is the access token (keeps it out of the process list and the environment).' },
];

/** The settings that name a file holding a secret, by the secret they hold (passphrase -> passphraseFile). */
export function fileFormOf(spec: SettingSpec): SettingSpec | undefined {
  return SETTINGS.find((candidate) => candidate.key === `${spec.key}File`);
}

export function settingByKey(key: keyof SettingValues): SettingSpec {
  const spec = SETTINGS.find((s) => s.key === key);
  if (!spec) throw new Error(`unknown setting ${String(key)}`);
  return spec;
}

export function describeDefault(spec: SettingSpec): string {
  if (spec.defaultText !== undefined) return spec.defaultText;
  const value = DEFAULTS[spec.key];
  if (value === undefined) return 'none';
  if (Array.isArray(value)) return value.length ? value.join(',') : 'none';
  return String(value);
}
