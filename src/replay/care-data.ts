// Care data in fixtures. Staging and production answers hold real clients' data: a fixture
// set from there is written only when asked for, with BSN-like values and the configured
// redaction fields masked, because fixture files are meant to be committed and shared.
import { isDeepStrictEqual } from 'node:util';
import { loadEnvironmentPresets } from '../config/presets.js';
import type { OnsEnvironment } from '../config/settings.js';
import { createRedactor, REDACTED, type RedactionSettings } from '../traffic/redact.js';
import { isLosslessNumber, parseLossless, stringifyLossless } from '../traffic/lossless.js';
import { jsonFixtureBody, type Fixture, type FixtureMessageBody } from './fixture.js';

/** The environments whose data is real. */
export const CARE_DATA_ENVIRONMENTS: readonly OnsEnvironment[] = ['staging', 'production'];

/** A configured upstream and its environment: a profile that points elsewhere than a preset still counts. */
export interface KnownUpstream {
  readonly upstream: string;
  readonly environment: OnsEnvironment;
}

/** The environment a fixture was recorded against, when its upstream is a known one. */
export function environmentOf(fixture: Fixture, configured: readonly KnownUpstream[]): OnsEnvironment | undefined {
  const url = fixture.source.upstreamUrl;
  if (url === undefined || !URL.canParse(url)) return undefined;
  const origin = new URL(url).origin;
  for (const preset of Object.values(loadEnvironmentPresets())) if (new URL(preset.upstream).origin === origin) return preset.environment;
  return configured.find((known) => URL.canParse(known.upstream) && new URL(known.upstream).origin === origin)?.environment;
}

const NINE_DIGITS = /(?<![\d])\d{9}(?![\d])/g;

/** The Dutch "elfproef": a BSN's digits weighted 9..2 and -1 sum to a multiple of 11. */
export function isBsnLike(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || digits === '000000000') return false;
  let sum = 0;
  for (let index = 0; index < 8; index++) sum += Number(digits[index]) * (9 - index);
  sum -= Number(digits[8]);
  return sum % 11 === 0;
}

function maskBsnText(text: string): string {
  return text.replace(NINE_DIGITS, (digits) => (isBsnLike(digits) ? REDACTED : digits));
}

function maskBsnJson(value: unknown): unknown {
  if (typeof value === 'string') return maskBsnText(value);
  // Numbers a double cannot hold have 16 digits or more: never a BSN.
  if (isLosslessNumber(value)) return value;
  if (typeof value === 'number') return Number.isInteger(value) && isBsnLike(String(value)) ? REDACTED : value;
  if (Array.isArray(value)) return value.map(maskBsnJson);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, maskBsnJson(inner)]));
  return value;
}

export interface MaskOptions extends RedactionSettings {
  /** Also mask values that look like a BSN (for sets from staging or production). */
  readonly bsn: boolean;
}

/** The fixture with the redaction settings applied to its bodies, and BSN-like values masked everywhere when asked. */
export function maskFixture(fixture: Fixture, options: MaskOptions): Fixture {
  const redactor = createRedactor(options);
  const body = (message: FixtureMessageBody): FixtureMessageBody => {
    if (message.bodyEncoding === 'json') {
      if (!redactor.masksFields && !options.bsn) return message;
      // Parsed so that int64 ids survive; a body with nothing to mask keeps its own bytes.
      const value = parseLossless(message.bodyText ?? JSON.stringify(message.body));
      const redacted = redactor.json(value);
      const masked = options.bsn ? maskBsnJson(redacted) : redacted;
      return isDeepStrictEqual(masked, value) ? message : jsonFixtureBody(stringifyLossless(masked));
    }
    if (message.bodyEncoding === 'text') {
      const redacted = redactor.text(String(message.body));
      return { body: options.bsn ? maskBsnText(redacted) : redacted, bodyEncoding: 'text' };
    }
    return message;
  };
  const text = (value: string): string => (options.bsn ? maskBsnText(value) : value);
  const { request, response } = fixture;
  const redactedNames = new Set(options.redactFields.map((name) => name.trim().toLowerCase()));
  const queryValue = (name: string, value: string): string => (redactedNames.has(name.toLowerCase()) ? REDACTED : text(value));
  const query = Object.fromEntries(
    Object.entries(request.query).map(([name, value]) => [name, typeof value === 'string' ? queryValue(name, value) : value.map((item) => queryValue(name, item))]),
  );
  return {
    ...fixture,
    source: { ...fixture.source, ...(fixture.source.upstreamUrl !== undefined ? { upstreamUrl: text(fixture.source.upstreamUrl) } : {}) },
    request: { ...request, path: text(request.path), query, headers: redactor.headers(request.headers) as Record<string, string>, ...body(request) },
    response: { ...response, headers: redactor.headers(response.headers), ...body(response) },
  };
}
