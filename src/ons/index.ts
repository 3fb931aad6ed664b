/** The Ons API's rules, applied by the proxy: each rule is one feature. */
import type { ProxyConfig } from '../config/load.js';
import type { ProxyFeature } from '../proxy/feature.js';
import { defaultHeaders } from './default-headers.js';
import { onsHints } from './hints.js';
import { parallelLimit } from './parallel-limit.js';
import { productionReadOnly } from './production-guard.js';
import { useCaseHeader } from './use-case-header.js';

export { hintFor } from './hints.js';
export { certificateKeyOf } from './parallel-limit.js';
export { isToolDefaultUserAgent } from './default-headers.js';
export { USE_CASE_HEADER } from './use-case-header.js';

/** `certificateKey` names the certificate whose parallel limit the proxy keeps (certificateKeyOf). */
export function onsRules(config: ProxyConfig, certificateKey: string): ProxyFeature[] {
  const readOnly = config.environment === 'production' && !config.allowWrites;
  return [
    // A refused write never waits for a slot.
    ...(readOnly ? [productionReadOnly()] : []),
    parallelLimit({
      certificateKey,
      profile: config.name,
      settings: { maxConcurrency: config.maxConcurrency, queueLimit: config.queueLimit, queueTimeoutMs: config.queueTimeoutMs },
    }),
    defaultHeaders({ userAgent: config.userAgent }),
    useCaseHeader(),
    onsHints({ environment: config.environment, maxConcurrency: config.maxConcurrency }),
  ];
}
