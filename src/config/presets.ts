import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ENVIRONMENTS, type OnsEnvironment } from './settings.js';

export interface EnvironmentPreset {
  readonly environment: OnsEnvironment;
  readonly upstream: string;
  /** Regular expression a certificate's customer code must match in this environment. */
  readonly customerCode: RegExp;
  readonly customerCodeHint: string;
  /** Defaults of ONS_PROXY_LOG_RETENTION_DAYS and ONS_PROXY_LOG_MAX_BYTES for this environment (0: no limit). */
  readonly logRetentionDays: number;
  readonly logMaxBytes: number;
}

// config/ sits at the package root, two levels above both src/config and dist/config.
export const PRESETS_FILE = fileURLToPath(new URL('../../config/environments.json', import.meta.url));

let cached: Record<OnsEnvironment, EnvironmentPreset> | undefined;

export function loadEnvironmentPresets(): Record<OnsEnvironment, EnvironmentPreset> {
  if (cached) return cached;
  const raw = JSON.parse(fs.readFileSync(PRESETS_FILE, 'utf8')) as Record<string, { upstream: string; customerCode: string; customerCodeHint: string; logRetentionDays?: number; logMaxBytes?: number }>;
  const presets = {} as Record<OnsEnvironment, EnvironmentPreset>;
  for (const environment of ENVIRONMENTS) {
    const entry = raw[environment];
    if (!entry) throw new Error(`${PRESETS_FILE} has no "${environment}" entry`);
    presets[environment] = {
      environment,
      upstream: entry.upstream,
      customerCode: new RegExp(entry.customerCode),
      customerCodeHint: entry.customerCodeHint,
      logRetentionDays: entry.logRetentionDays ?? 0,
      logMaxBytes: entry.logMaxBytes ?? 0,
    };
  }
  cached = presets;
  return presets;
}

/** The URL of the API's OpenAPI document (the same for every environment), from config/environments.json. */
export function openApiDocumentUrl(): string | undefined {
  const raw = JSON.parse(fs.readFileSync(PRESETS_FILE, 'utf8')) as { openapiDocument?: unknown };
  return typeof raw.openapiDocument === 'string' ? raw.openapiDocument : undefined;
}
