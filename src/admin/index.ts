/** The proxy's own URL space under /__proxy/: what belongs to it, and its health, status and 404. */
export { ADMIN_PREFIX, canonicalAdminTarget, isAdminPath } from './admin-path.js';
export { registerAdminRoutes, type AdminRouteOptions, type AdminRoutes } from './admin-routes.js';
export { forwardedDocumentSandbox, mayRenderAsDocument, sentByBrowser } from './forwarded-documents.js';
