import type tls from 'node:tls';
import type { ProxyConfig } from '../config/load.js';
import { loadClientCertificate } from './loader.js';
import { certificateReloader, type CertificateLog, type CertificateReloader } from './reloader.js';
import { SwappableDispatcher, createUpstreamAgent } from './upstream-dispatcher.js';

export interface ClientCertificate {
  /** Hand this to the forwarder: it always presents the current certificate. */
  readonly dispatcher: SwappableDispatcher;
  /** The secure context loaded at start (a reload builds new ones). */
  readonly secureContext: tls.SecureContext;
  /** Watches, reloads and reports the certificate (GET /__proxy/status "certificate"). */
  readonly feature: CertificateReloader;
}

/** Loads and checks the certificate of one profile (throws UserError), says its warnings, and keeps it current. */
export function openClientCertificate(config: ProxyConfig, log: CertificateLog): ClientCertificate {
  // Its only connections go through the agent below, which completes its trust store first.
  const initial = loadClientCertificate(config, new Date(), { rootsOnFirstConnection: true });
  for (const warning of initial.warnings) log.warn(warning);
  const createAgent = (secureContext: tls.SecureContext) => createUpstreamAgent(secureContext, { connectTimeoutMs: config.connectTimeoutMs });
  const dispatcher = new SwappableDispatcher(createAgent(initial.secureContext));
  const feature = certificateReloader({ settings: config, dispatcher, initial, createAgent, log });
  return { dispatcher, secureContext: initial.secureContext, feature };
}
