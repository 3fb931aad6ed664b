import type { IncomingHttpHeaders } from 'node:http';

// RFC 9110 section 7.6.1: meaningful for one connection only, never forwarded.
// `expect`, `upgrade` and `keep-alive` also make undici throw when sent upstream;
// Node answers `Expect: 100-continue` to the client itself.
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'http2-settings',
] as const;

/** Removes hop-by-hop headers, including those the Connection header names, in place. */
export function stripHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const connection = headers.connection;
  if (typeof connection === 'string') {
    for (const name of connection.split(',')) {
      const trimmed = name.trim().toLowerCase();
      if (trimmed) delete headers[trimmed];
    }
  }
  for (const name of HOP_BY_HOP) delete headers[name];
  return headers;
}
