import type { IncomingHttpHeaders } from 'node:http';

// RFC 9110 section 7.6.1: meaningful for one connection only, never forwarded.
// `expect`, `upgrade` and `keep-alive` also make undici throw when sent upstream;
// Node answers `Expect: 100-continue` to the client itself.
const HOP_BY_HOP = new Set([
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
]);

/**
 * A copy without the hop-by-hop headers, including those the Connection header names.
 * Copying instead of deleting keeps the object in V8's fast mode for whoever reads it next
 * (undici, fastify), and most requests name only keep-alive there.
 */
export function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const connection = headers.connection;
  const named = typeof connection === 'string' && connection !== 'keep-alive' && connection !== 'close' ? connectionOptions(connection) : undefined;
  const kept: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || named?.has(name)) continue;
    kept[name] = headers[name];
  }
  return kept;
}

function connectionOptions(connection: string): Set<string> {
  const names = new Set<string>();
  for (const name of connection.split(',')) {
    const trimmed = name.trim().toLowerCase();
    if (trimmed) names.add(trimmed);
  }
  return names;
}
