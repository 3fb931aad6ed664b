/** A host name (IPv6 literals keep their brackets) and an optional port, lower-cased. */
export interface Authority {
  readonly hostname: string;
  readonly port: string | undefined;
}

const HOSTNAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/;

/** Parses a Host header value or a configured name ("localhost:8080", "[::1]", "proxy"); undefined when malformed. */
export function parseAuthority(value: string): Authority | undefined {
  const text = value.trim().toLowerCase();
  let hostname: string;
  let rest: string;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end === -1) return undefined;
    hostname = text.slice(0, end + 1);
    rest = text.slice(end + 1);
    if (!IPV6_LITERAL.test(hostname)) return undefined;
  } else {
    const colon = text.indexOf(':');
    // A second colon means a bare IPv6 address, which a Host header may not carry.
    if (colon !== -1 && text.indexOf(':', colon + 1) !== -1) return undefined;
    hostname = colon === -1 ? text : text.slice(0, colon);
    rest = colon === -1 ? '' : text.slice(colon);
    // "localhost." names the same host as "localhost".
    if (hostname.endsWith('.')) hostname = hostname.slice(0, -1);
    if (!HOSTNAME.test(hostname)) return undefined;
  }
  if (rest === '') return { hostname, port: undefined };
  const port = rest.slice(1);
  return rest.startsWith(':') && /^\d{1,5}$/.test(port) ? { hostname, port } : undefined;
}

/** Like parseAuthority, but also accepts a bare IPv6 address as configured in ONS_PROXY_HOST ("::1"). */
export function parseConfiguredName(value: string): Authority | undefined {
  const text = value.trim();
  const bareIpv6 = text.split(':').length > 2 && !text.startsWith('[');
  return parseAuthority(bareIpv6 ? `[${text}]` : text);
}

/** An allowed entry without a port matches any port; one with a port matches only that port. */
export function authorityAllowed(candidate: Authority, allowed: readonly Authority[]): boolean {
  return allowed.some((entry) => entry.hostname === candidate.hostname && (entry.port === undefined || entry.port === candidate.port));
}

/** Shows a client-supplied value in a problem's detail without letting it grow the response. */
export function quoteForDetail(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > 100 ? `${printable.slice(0, 100)}...` : printable);
}
