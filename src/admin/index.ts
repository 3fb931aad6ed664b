/** The proxy's own URL space under /__proxy/: what belongs to it, and its health, status and 404. */
export { ADMIN_PREFIX, isAdminPath } from './admin-path.js';
export { registerAdminRoutes, type AdminRouteOptions } from './admin-routes.js';
