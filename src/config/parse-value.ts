import path from 'node:path';
import type { SettingSpec } from './settings.js';
import { ConfigError } from './errors.js';

export type SettingValue = string | number | boolean | string[] | undefined;

/** Where a value came from, so an error can say where to fix it. */
export interface ValueOrigin {
  readonly label: string;
  /** Relative paths are resolved against this folder. */
  readonly baseDir: string;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function fail(spec: SettingSpec, raw: unknown, origin: ValueOrigin, expectation: string): never {
  const shown = spec.kind === 'secret' ? '(hidden)' : JSON.stringify(raw);
  throw new ConfigError(`${spec.env} (--${spec.flag}) from ${origin.label} is ${shown}: ${expectation}.`);
}

/** Turns a raw value (a string from flags/env, or a JSON value from a config file) into the setting's type. */
export function parseSettingValue(spec: SettingSpec, raw: unknown, origin: ValueOrigin): SettingValue {
  if (raw === undefined || raw === null) return undefined;
  // An empty value in .env or the environment means "not set": copying .env.example leaves blanks.
  if (typeof raw === 'string' && raw.trim() === '' && spec.kind !== 'list') return undefined;

  switch (spec.kind) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const word = String(raw).trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return fail(spec, raw, origin, 'it must be true or false');
    }
    case 'integer': {
      const text = typeof raw === 'number' ? String(raw) : String(raw).trim();
      if (!/^\d+$/.test(text)) return fail(spec, raw, origin, describeRange(spec, 'it must be a whole number'));
      const value = Number(text);
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        return fail(spec, raw, origin, describeRange(spec, 'it is out of range'));
      }
      return value;
    }
    case 'list': {
      const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
      return items.map((item) => item.trim()).filter((item) => item.length > 0);
    }
    case 'enum': {
      const value = String(raw).trim();
      if (!spec.choices?.includes(value)) return fail(spec, raw, origin, `it must be one of ${spec.choices?.join(', ')}`);
      return value;
    }
    case 'url': {
      const text = String(raw).trim();
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return fail(spec, raw, origin, 'it must be a full URL such as https://api-development.ons.io');
      }
      if (url.protocol !== 'https:') return fail(spec, raw, origin, 'the upstream must be https:// (the client certificate only travels over TLS)');
      if (url.search || url.hash) return fail(spec, raw, origin, 'a base URL has no query string or fragment');
      return url.href.replace(/\/$/, '');
    }
    case 'path':
      return path.resolve(origin.baseDir, String(raw).trim());
    case 'string':
    case 'secret':
      if (typeof raw !== 'string' && typeof raw !== 'number') return fail(spec, raw, origin, 'it must be text');
      return String(raw);
  }
}

function describeRange(spec: SettingSpec, lead: string): string {
  if (spec.min !== undefined && spec.max !== undefined) return `${lead} from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return `${lead} of at least ${spec.min}`;
  return lead;
}
