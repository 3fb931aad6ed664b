import type { ProxyConfig } from '../../config/load.js';
import type { ProxyFeature } from '../feature.js';
import { accessTokenGuard, type PageLogin } from './access-token.js';
import { bodySizeGuard } from './body-size.js';
import { closingGuard } from './closing.js';
import { corsGuard } from './cors.js';
import { hostGuard } from './host-guard.js';

export { toOriginForm } from './request-target.js';
export { MAX_REQUEST_BODY_BYTES } from './body-size.js';
export type { PageLogin } from './access-token.js';

export type GuardSettings = Pick<ProxyConfig, 'host' | 'allowedHosts' | 'corsOrigins' | 'accessToken' | 'upstream' | 'upstreamStandsFor'>;

/**
 * Who may use the proxy and what it accepts, checked before anything else sees a request.
 * The order matters: refuse while closing, then foreign Host names, then foreign web pages
 * (a preflight is answered before the token check, because browsers send preflights
 * without it), then the token (or `pageLogin`, for the proxy's own pages), then absurd bodies.
 */
export function requestGuards(settings: GuardSettings, pageLogin?: PageLogin): ProxyFeature[] {
  return [
    closingGuard(),
    hostGuard({ listenHost: settings.host, allowedHosts: settings.allowedHosts, upstream: settings.upstream, upstreamStandsFor: settings.upstreamStandsFor ?? [] }),
    corsGuard(settings.corsOrigins),
    accessTokenGuard(settings.accessToken, pageLogin),
    bodySizeGuard(),
  ];
}
