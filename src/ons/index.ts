/** The Ons API's rules, applied by the proxy: each rule is one feature. */
import type tls from 'node:tls';
import type { ProxyConfig } from '../config/load.js';
import type { ProxyFeature } from '../proxy/feature.js';
import { certificateKeyOf, parallelLimit } from './parallel-limit.js';

export function onsRules(config: ProxyConfig, secureContext: tls.SecureContext): ProxyFeature[] {
  return [
    parallelLimit({
      certificateKey: certificateKeyOf(secureContext),
      profile: config.name,
      settings: { maxConcurrency: config.maxConcurrency, queueLimit: config.queueLimit, queueTimeoutMs: config.queueTimeoutMs },
    }),
  ];
}
