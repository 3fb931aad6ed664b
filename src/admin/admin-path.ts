/** The proxy's own pages and API live under this path; nothing under it is forwarded or recorded. */
export const ADMIN_PREFIX = '/__proxy';

/** Whether a request target (path and query) is one of the proxy's own, not the API's. */
export function isAdminPath(url: string): boolean {
  if (!url.startsWith(ADMIN_PREFIX)) return false;
  const next = url.charAt(ADMIN_PREFIX.length);
  return next === '' || next === '/' || next === '?';
}
