// The proxy's own credentials are blanked in the request itself, before any record is
// built: the redactor then sees them already hidden, and so does every feature after the guard.
import type { IncomingMessage } from 'node:http';
import { REDACTED } from './redact.js';

/** The request headers that carry the proxy's access token (lower case). */
export const CREDENTIAL_HEADERS = { token: 'x-proxy-token', proxyAuthorization: 'proxy-authorization' } as const;
const NAMES: readonly string[] = Object.values(CREDENTIAL_HEADERS);

/** Replaces the values of the credential headers, in both the parsed and the raw header list. */
export function redactCredentialHeaders(raw: IncomingMessage): void {
  for (const name of NAMES) if (raw.headers[name] !== undefined) raw.headers[name] = REDACTED;
  for (let index = 0; index + 1 < raw.rawHeaders.length; index += 2) {
    const name = raw.rawHeaders[index]?.toLowerCase();
    if (name !== undefined && NAMES.includes(name)) raw.rawHeaders[index + 1] = REDACTED;
  }
}
