import net from 'node:net';
import { ConfigError } from './errors.js';
import type { ProxyConfig } from './load.js';

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}

/** Checks that only need the configuration itself; certificate checks live in src/tls. */
export function assertStartable(config: ProxyConfig): void {
  if (!isLoopbackHost(config.host) && !config.unsafeListen) {
    throw new ConfigError(
      `ONS_PROXY_HOST is ${config.host}, which is not a loopback address: anyone who can reach it would call the API with your certificate. ` +
        'Listen on 127.0.0.1, or set ONS_PROXY_UNSAFE_LISTEN=true (--unsafe-listen) if you really mean it, e.g. inside a container.',
    );
  }
  if (config.environment === 'production' && !config.allowProduction) {
    throw new ConfigError(
      'ONS_PROXY_ENVIRONMENT is production: that is real care data. Add --allow-production (ONS_PROXY_ALLOW_PRODUCTION=true) to confirm; writes stay blocked unless you also add --allow-writes.',
    );
  }
}
