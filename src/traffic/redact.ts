// Redaction happens once, while the record is built, so every output (file, console,
// inspector, HAR) only ever sees the redacted record.
import { MAX_RECORDED_JSON_DEPTH } from './json-depth.js';
import { isLosslessNumber } from './lossless.js';
import type { RecordHeaders } from './record.js';

export const REDACTED = '[redacted]';
const REDACTED_IN_URL = encodeURIComponent(REDACTED);

/** Headers that carry credentials: always redacted, whatever the configuration says. */
export const ALWAYS_REDACTED_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-proxy-token'];

export interface RedactionSettings {
  /** More header names (any case). */
  readonly redactHeaders: readonly string[];
  /** Field names masked at any depth (any case) in JSON, forms and query strings, e.g. bsn, dateOfBirth. */
  readonly redactFields: readonly string[];
  /** The proxy's own access token: masked wherever a client puts it in a URL or header. */
  readonly accessToken?: string | undefined;
}

export interface Redactor {
  /** Whether any field is masked: then a body the redactor cannot read must not be recorded. */
  readonly masksFields: boolean;
  headers(headers: Readonly<Record<string, string | number | readonly string[] | undefined>>): RecordHeaders;
  /** A copy of a parsed JSON body with the named fields masked wherever they occur (keys, and query strings inside strings). */
  json(value: unknown): unknown;
  /** Masks the named fields in text that holds (possibly cut-off or line-delimited) JSON or a form. */
  text(value: string): string;
  /** Masks the named query parameters and the access token in a URL (or a path and query). */
  url(value: string): string;
  /**
   * The credentials of one exchange: the values of the credential headers the client sent
   * (Authorization, cookies, ONS_PROXY_REDACT_HEADERS) and the access token, to be masked
   * wherever they reappear in its record. Undefined when there are none.
   */
  credentials(requestHeaders: Readonly<Record<string, string | number | readonly string[] | undefined>>): CredentialMask | undefined;
}

/** Masks one exchange's credentials in any text of its record (see Redactor.credentials). */
export interface CredentialMask {
  /** In a header value or a body's text. */
  text(value: string): string;
  /** In a URL: masked as %5Bredacted%5D, like a masked query parameter. */
  url(value: string): string;
  /** In a body's bytes (a JSON text holds them as they were, or JSON-escaped). */
  bytes(value: Buffer): Buffer;
  /** In every string of a parsed JSON value. */
  json(value: unknown): unknown;
}

// Shorter values (a cookie "lang=nl") are too likely to occur in an answer by chance: masking
// them would rewrite answers, not hide secrets.
const MIN_CREDENTIAL_LENGTH = 8;

const LOWER_CASE = /^[^A-Z]*$/;
// One name=value pair of a query string or form, in any text: the name starts after a
// separator (a form's & or ;, a URL's ?, a quote or space around a URL in a body).
// A quoted value (an XML or HTML attribute, bsn="...") is masked as a whole.
const PAIR = /(^|[?&;\s"'<>])([^=&?;#\s"'<>]+)=("[^"]*"|'[^']*'|[^&#;\s"'<>]*)/g;
// An XML element holding text: <bsn>...</bsn>, with or without a namespace prefix.
const XML_ELEMENT = /(<((?:[\w.-]+:)?([\w.-]+))(?:\s[^<>]*)?>)([^<]*)(<\/\2\s*>)/g;
// One part of a multipart/form-data body: its headers name the field, its value runs to the next boundary.
const MULTIPART_PART = /(content-disposition:[^\r\n]*?\bname="([^"]*)"[^\r\n]*(?:\r?\n[^\r\n]+)*\r?\n\r?\n)([\s\S]*?)(?=\r?\n--|$)/gi;
const NESTED_TOO_DEEP = `[nested deeper than ${MAX_RECORDED_JSON_DEPTH} levels]`;

export function createRedactor(settings: RedactionSettings): Redactor {
  const headerNames = new Set([...ALWAYS_REDACTED_HEADERS, ...settings.redactHeaders.map((name) => name.trim().toLowerCase())]);
  const fieldNames = new Set(settings.redactFields.map((name) => name.trim().toLowerCase()).filter(Boolean));
  const jsonPairs = [...fieldNames].map(jsonPairPattern);
  const secrets = secretSpellings(settings.accessToken);
  const masksFields = fieldNames.size > 0;

  const pairs = (text: string): string => {
    if (!masksFields || !text.includes('=')) return text;
    return text.replace(PAIR, (whole: string, before: string, name: string, value: string) => {
      if (!namesField(name, fieldNames)) return whole;
      const quote = value.startsWith('"') || value.startsWith("'") ? value.charAt(0) : '';
      return `${before}${name}=${quote}${quote ? REDACTED : REDACTED_IN_URL}${quote}`;
    });
  };
  const withoutSecrets = (text: string): string => {
    let masked = text;
    for (const secret of secrets) if (masked.includes(secret)) masked = masked.split(secret).join(REDACTED_IN_URL);
    return masked;
  };
  const url = (value: string): string => pairs(withoutSecrets(value));
  // Depth is bounded where the body was decoded; the bound here keeps the walk safe for any caller.
  const json = (value: unknown, depth = 0): unknown => {
    if (!masksFields || value === null) return value;
    if (typeof value === 'string') return pairs(value);
    if (typeof value !== 'object' || isLosslessNumber(value)) return value;
    if (depth >= MAX_RECORDED_JSON_DEPTH) return NESTED_TOO_DEEP;
    if (Array.isArray(value)) return value.map((inner: unknown) => json(inner, depth + 1));
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) copy[key] = fieldNames.has(key.toLowerCase()) ? REDACTED : json(inner, depth + 1);
    return copy;
  };
  const checksValues = masksFields || secrets.length > 0;

  return {
    masksFields,
    headers(headers) {
      const out: RecordHeaders = {};
      // Runs twice per exchange: no entries array, and names Node already lower-cased stay as they are.
      for (const rawName in headers) {
        const value = headers[rawName];
        if (value === undefined) continue;
        const name = LOWER_CASE.test(rawName) ? rawName : rawName.toLowerCase();
        if (headerNames.has(name)) out[name] = Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
        else if (!checksValues) out[name] = typeof value === 'string' ? value : Array.isArray(value) ? value.map(String) : String(value);
        // Location, Referer and the like carry URLs, with their query strings.
        else out[name] = Array.isArray(value) ? value.map((single) => url(String(single))) : url(String(value));
      }
      return out;
    },
    json: (value) => json(value),
    text(value) {
      let masked = value;
      for (const pattern of jsonPairs) masked = masked.replace(pattern, `$1"${REDACTED}"`);
      if (masksFields && masked.includes('</')) {
        masked = masked.replace(XML_ELEMENT, (whole: string, open: string, _name: string, local: string, _value: string, close: string) =>
          namesField(local, fieldNames) ? `${open}${REDACTED}${close}` : whole,
        );
      }
      if (masksFields && /content-disposition:/i.test(masked)) {
        masked = masked.replace(MULTIPART_PART, (whole: string, head: string, name: string) => (namesField(name, fieldNames) ? `${head}${REDACTED}` : whole));
      }
      return pairs(masked);
    },
    url,
    credentials(requestHeaders) {
      const values: string[] = [...(settings.accessToken ? [settings.accessToken] : [])];
      for (const rawName in requestHeaders) {
        const value = requestHeaders[rawName];
        if (value === undefined || !headerNames.has(rawName.toLowerCase())) continue;
        for (const single of Array.isArray(value) ? value : [value]) values.push(...credentialParts(rawName.toLowerCase(), String(single)));
      }
      return credentialMask(values.filter((value) => value.length >= MIN_CREDENTIAL_LENGTH && value !== REDACTED));
    },
  };
}

/** The whole header value, and the parts of it that are secrets on their own. */
function credentialParts(name: string, value: string): string[] {
  const parts = [value.trim()];
  if (name === 'cookie') {
    for (const pair of value.split(';')) {
      const at = pair.indexOf('=');
      if (at !== -1) parts.push(pair.slice(at + 1).trim().replace(/^"(.*)"$/, '$1'));
    }
  }
  const scheme = /^(\S+)\s+(\S.*)$/.exec(value.trim());
  if (scheme?.[2] && (name === 'authorization' || name === 'proxy-authorization')) {
    parts.push(scheme[2]);
    if (scheme[1]?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon !== -1) parts.push(decoded, decoded.slice(colon + 1));
    }
  }
  return parts;
}

function credentialMask(values: readonly string[]): CredentialMask | undefined {
  if (values.length === 0) return undefined;
  const spellings = new Set<string>();
  for (const value of values) {
    const escaped = JSON.stringify(value).slice(1, -1);
    for (const spelling of [value, escaped, escaped.replace(/\//g, '\\/'), ...secretSpellings(value)]) spellings.add(spelling);
  }
  // Longest first: a whole "Bearer abc..." is masked as one, not around its token.
  const ordered = [...spellings].sort((a, b) => b.length - a.length);
  const replace = (text: string, by: string): string => {
    let masked = text;
    for (const spelling of ordered) if (masked.includes(spelling)) masked = masked.split(spelling).join(by);
    return masked;
  };
  const asBytes = ordered.map((spelling) => Buffer.from(spelling));
  const json = (value: unknown): unknown => {
    if (typeof value === 'string') return replace(value, REDACTED);
    if (value === null || typeof value !== 'object' || isLosslessNumber(value)) return value;
    if (Array.isArray(value)) return value.map(json);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [replace(key, REDACTED), json(inner)]));
  };
  return {
    text: (value) => replace(value, REDACTED),
    url: (value) => replace(value, REDACTED_IN_URL),
    bytes(value) {
      if (!asBytes.some((spelling) => value.includes(spelling))) return value;
      return Buffer.from(replace(value.toString('utf8'), REDACTED));
    },
    json,
  };
}

/** A form or query name as a field: any case, %-escaped or not, and any part of "client[bsn]" or "client.bsn". */
function namesField(rawName: string, fields: ReadonlySet<string>): boolean {
  let name = rawName.replace(/\+/g, ' ');
  try {
    name = decodeURIComponent(name);
  } catch {
    // A broken escape: compare the name as written.
  }
  name = name.trim().toLowerCase();
  if (fields.has(name)) return true;
  return name.split(/[[\].]+/).some((part) => part !== '' && fields.has(part.trim()));
}

function jsonPairPattern(field: string): RegExp {
  // A JSON key may spell any of its characters as a \u escape ("b\u0073n").
  const name = [...field].map((char) => `(?:${char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|\\\\u${char.charCodeAt(0).toString(16).padStart(4, '0')})`).join('');
  // A string (possibly cut off at the end of a truncated body), a number or a literal.
  const value = String.raw`(?:"(?:[^"\\]|\\.)*(?:"|$)|-?[\d.eE+-]+|true|false|null)`;
  return new RegExp(String.raw`("${name}"\s*:\s*)${value}`, 'gi');
}

/** The token as a client may put it in a URL: as typed, and %-escaped (either case of hex digits). */
function secretSpellings(token: string | undefined): string[] {
  if (token === undefined || token === '') return [];
  const escaped = encodeURIComponent(token);
  return [...new Set([token, escaped, escaped.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()), token.replace(/ /g, '+')])];
}
