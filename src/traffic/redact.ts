// Redaction happens once, while the record is built, so every output (file, console,
// inspector, HAR) only ever sees the redacted record.
import type { RecordHeaders } from './record.js';

export const REDACTED = '[redacted]';

/** Headers that carry credentials: always redacted, whatever the configuration says. */
export const ALWAYS_REDACTED_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-proxy-token'];

export interface RedactionSettings {
  /** More header names (any case). */
  readonly redactHeaders: readonly string[];
  /** JSON field names masked at any depth (any case), e.g. bsn, dateOfBirth. */
  readonly redactFields: readonly string[];
}

export interface Redactor {
  headers(headers: Readonly<Record<string, string | number | readonly string[] | undefined>>): RecordHeaders;
  /** Whether any JSON field is masked: only then does a JSON body have to be parsed for the record. */
  readonly masksJsonFields: boolean;
  /** A copy of a parsed JSON body with the named fields masked wherever they occur. */
  json(value: unknown): unknown;
  /** Masks the named fields in text that holds (possibly cut-off or line-delimited) JSON or a form. */
  text(value: string): string;
}

const LOWER_CASE = /^[^A-Z]*$/;

export function createRedactor(settings: RedactionSettings): Redactor {
  const headerNames = new Set([...ALWAYS_REDACTED_HEADERS, ...settings.redactHeaders.map((name) => name.trim().toLowerCase())]);
  const fieldNames = new Set(settings.redactFields.map((name) => name.trim().toLowerCase()).filter(Boolean));
  const textPatterns = [...fieldNames].map(fieldPatterns);

  const json = (value: unknown): unknown => {
    if (fieldNames.size === 0 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(json);
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) copy[key] = fieldNames.has(key.toLowerCase()) ? REDACTED : json(inner);
    return copy;
  };

  return {
    masksJsonFields: fieldNames.size > 0,
    headers(headers) {
      const out: RecordHeaders = {};
      // Runs twice per exchange: no entries array, and names Node already lower-cased stay as they are.
      for (const rawName in headers) {
        const value = headers[rawName];
        if (value === undefined) continue;
        const name = LOWER_CASE.test(rawName) ? rawName : rawName.toLowerCase();
        if (headerNames.has(name)) out[name] = Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
        else out[name] = typeof value === 'string' ? value : Array.isArray(value) ? value.map(String) : String(value);
      }
      return out;
    },
    json,
    text(value) {
      let masked = value;
      for (const { jsonPair, formPair } of textPatterns) {
        masked = masked.replace(jsonPair, `$1"${REDACTED}"`).replace(formPair, `$1${encodeURIComponent(REDACTED)}`);
      }
      return masked;
    },
  };
}

function fieldPatterns(field: string): { jsonPair: RegExp; formPair: RegExp } {
  const name = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A string (possibly cut off at the end of a truncated body), a number or a literal.
  const value = String.raw`(?:"(?:[^"\\]|\\.)*(?:"|$)|-?[\d.eE+-]+|true|false|null)`;
  return {
    jsonPair: new RegExp(String.raw`("${name}"\s*:\s*)${value}`, 'gi'),
    formPair: new RegExp(String.raw`((?:^|&)${name}=)[^&\s]*`, 'gi'),
  };
}
