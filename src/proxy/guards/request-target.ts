// HTTP_PROXY-style clients send the absolute form ("GET http://host/path HTTP/1.1",
// RFC 9112 section 3.2.2). The proxy serves it by routing on the path alone; the host
// guard then decides whether the named host is one this proxy may answer for.

const ABSOLUTE_FORM = /^https?:\/\//i;

/**
 * The origin-form of a request target (fastify's rewriteUrl). Only the scheme and
 * authority are cut off: path and query keep their exact bytes, so no URL parser may
 * normalise them on the way.
 */
export function toOriginForm(target: string): string {
  if (!ABSOLUTE_FORM.test(target)) return target;
  const afterScheme = target.indexOf('//') + 2;
  const pathStart = target.slice(afterScheme).search(/[/?#]/);
  if (pathStart === -1) return '/';
  const rest = target.slice(afterScheme + pathStart);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** The authority ("host:port") named by an absolute-form target, or undefined for any other form. */
export function absoluteFormAuthority(target: string): string | undefined {
  if (!ABSOLUTE_FORM.test(target)) return undefined;
  const afterScheme = target.indexOf('//') + 2;
  const end = target.slice(afterScheme).search(/[/?#]/);
  const authority = end === -1 ? target.slice(afterScheme) : target.slice(afterScheme, afterScheme + end);
  // "user:password@host": the credentials are not ours to use; the host decides.
  return authority.slice(authority.lastIndexOf('@') + 1);
}
