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

/** The warning for a proxy that anyone on the network can use, or undefined when only this machine can reach it or a token guards it. */
export function exposureWarning(config: Pick<ProxyConfig, 'host' | 'accessToken'>): string | undefined {
  if (isLoopbackHost(config.host) || config.accessToken !== undefined) return undefined;
  return (
    `Listening on ${config.host} without an access token: anyone who can reach this address calls the API with your certificate and reads every record. ` +
    'Set ONS_PROXY_ACCESS_TOKEN (--access-token), or listen on 127.0.0.1.'
  );
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
