/** The proxy's own pages and API live under this path; nothing under it is forwarded or recorded. */
export const ADMIN_PREFIX = '/__proxy';

const ADMIN_SEGMENT = ADMIN_PREFIX.slice(1);
// Percent-encoding applied to itself ("%255F") counts too: some server on the way may decode twice.
const MAX_DECODE_ROUNDS = 3;
const PERCENT_ESCAPE = /%([0-9a-f]{2})/gi;
// Only these can make a path mean something other than its plain segments.
const NEEDS_CANONICAL_FORM = /[%\\;]|\/\/|\/\./;

/**
 * Whether a request target (path and query, in origin-form) is one of the proxy's own, not
 * the API's. This is the one decision for the router (rewriteUrl), the guards, the
 * forwarder, the recorder and the reports: the path is decoded (repeatedly), `\` read as
 * `/`, empty, `.` and `..` segments resolved, `;parameters` dropped and case ignored, the
 * way some server on the way might read it. Erring towards "own" only costs a 404.
 */
export function isAdminPath(target: string): boolean {
  return canonicalAdminTarget(target) !== undefined;
}

/**
 * The spelling the admin routes are registered under (`/__proxy/health?x`) for a target
 * that isAdminPath, or undefined for a target of the API. Canonical targets come back as
 * they are, so the admin routes see every variant (`/__PROXY/health`, `//__proxy/health`,
 * `/%5F%5Fproxy/health`, `/__proxy%2Fhealth`, `/./__proxy/health`) as the page it names.
 */
export function canonicalAdminTarget(target: string): string | undefined {
  const queryStart = target.search(/[?#]/);
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = queryStart !== -1 && target[queryStart] === '?' ? target.slice(queryStart).split('#')[0] : '';
  if (!NEEDS_CANONICAL_FORM.test(path)) {
    // The common case, a plain path: only its first segment matters.
    if (path.slice(0, ADMIN_PREFIX.length).toLowerCase() !== ADMIN_PREFIX) return undefined;
    const next = path.charAt(ADMIN_PREFIX.length);
    return next === '' || next === '/' ? ADMIN_PREFIX + path.slice(ADMIN_PREFIX.length) + query : undefined;
  }
  const decoded = fullyDecoded(path).replace(/\\/g, '/');
  // Read as written and with ".." applied: a router that does not resolve dot segments sees
  // "/__proxy/a/../../x" as its own, one that does sees "/t/../__proxy/x" as its own.
  const written = decoded.split('/').filter((segment) => !isEmptySegment(segment));
  const segments = isAdminSegment(written[0]) ? written : resolvedSegments(written);
  if (!isAdminSegment(segments[0])) return undefined;
  const rest = segments.slice(1).map((segment) => encodeURIComponent(segment));
  return `${ADMIN_PREFIX}${rest.length > 0 ? `/${rest.join('/')}` : ''}${decoded.endsWith('/') ? '/' : ''}${query}`;
}

function fullyDecoded(path: string): string {
  let decoded = path;
  for (let round = 0; round < MAX_DECODE_ROUNDS && decoded.includes('%'); round++) {
    const next = decoded.replace(PERCENT_ESCAPE, (_escape, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    if (next === decoded) break;
    decoded = next;
  }
  return decoded;
}

/** The segments with ".." applied, as RFC 3986 5.2.4 resolves them. */
function resolvedSegments(written: readonly string[]): string[] {
  const segments: string[] = [];
  for (const segment of written) {
    if (segmentName(segment) === '..') segments.pop();
    else segments.push(segment);
  }
  return segments;
}

function isEmptySegment(segment: string): boolean {
  const name = segmentName(segment);
  return name === '' || name === '.';
}

function isAdminSegment(segment: string | undefined): boolean {
  return segment !== undefined && segmentName(segment) === ADMIN_SEGMENT;
}

/** A segment as a server that ignores case and `;parameters` reads it. */
function segmentName(segment: string): string {
  const parameters = segment.indexOf(';');
  return (parameters === -1 ? segment : segment.slice(0, parameters)).toLowerCase();
}
