import tls from 'node:tls';
import { UserError } from '../config/errors.js';
import type { ClientIdentity } from './identity.js';
import { bundledRootsAnd, trustedCaList, type ClientMaterial } from './material.js';

/** The context's native handle: the calls Node itself makes for `ca` and for its default store. */
interface NativeContext {
  addCACert?: (pem: string) => void;
  addRootCerts?: () => void;
}

function nativeOf(context: tls.SecureContext): NativeContext | undefined {
  return (context as { context?: NativeContext }).context;
}

/** Contexts whose default store is added when they first connect (see rootsOnFirstConnection). */
const pendingRoots = new WeakMap<tls.SecureContext, () => void>();

export interface SecureContextOptions {
  /**
   * Leave Node's default store out until the first connection (completeTrust): the process's
   * first store costs 25-40 ms (OpenSSL parses Node's ~140 bundled roots), which the proxy then
   * pays after it listens rather than before. The bundle and the identity are checked now.
   * Only for a context that connects through createUpstreamAgent, which completes it.
   */
  readonly rootsOnFirstConnection?: boolean;
}

/**
 * Builds the secure context once, so each new upstream connection reuses the parsed
 * key, chain and CA store instead of parsing them again per handshake.
 */
export function createClientSecureContext(material: ClientMaterial, identity: ClientIdentity, how: SecureContextOptions = {}): tls.SecureContext {
  const options: tls.SecureContextOptions = { minVersion: 'TLSv1.2' };
  // Without an extra bundle Node's own default store applies; passing it explicitly would
  // parse every root certificate again (a third of a second at start).
  const caList = material.extraCa ? trustedCaList(material.extraCa) : undefined;
  if (caList) options.ca = caList;
  // An empty list keeps the default store out for now. The bundle waits too: adding any CA
  // builds the default store first (Node 20 skips, and does not report, what it cannot parse);
  // and added here, the same certificate added again after the default store makes OpenSSL spin.
  const rootsLater = how.rootsOnFirstConnection === true && !caList;
  if (rootsLater) options.ca = [];
  // TLS gets the identity as parsed and checked, whatever the file form: the leaf first (a file
  // that lists its chain before the certificate would otherwise present the wrong one), and
  // the key already decrypted. A PKCS#12 file from an older Windows export (RC2/3DES) then
  // works too, though OpenSSL 3 alone would refuse it without its legacy provider.
  options.cert = [identity.certificate, ...identity.chain].map((certificate) => certificate.toString()).join('\n');
  options.key = identity.privateKey.export({ type: 'pkcs8', format: 'pem' });
  try {
    const context = tls.createSecureContext(options);
    if (rootsLater) return withRootsLater(context, options, material.extraCa);
    return material.extraCa && !caList ? withExtraCa(context, options, material.extraCa) : context;
  } catch (error) {
    const message = (error as Error).message;
    const where = material.files.join(', ');
    if (/no start line|bad base64|header too long|asn1|no certificate/i.test(message) && material.caFile) {
      throw new UserError(`Cannot use the CA bundle ${material.caFile} (ONS_PROXY_CA): ${message}. It must hold PEM certificates (-----BEGIN CERTIFICATE-----), such as the chain file Ons publishes.`);
    }
    throw new UserError(`Cannot use the certificate material in ${where}: ${message}.`);
  }
}

/**
 * Node 20 cannot extend its default store through the public API, and passing the bundled
 * roots as `ca` parses all ~140 of them again: about 50 ms, a tenth of the proxy's start.
 * Adding the bundle through the context's native handle (the call Node itself makes for each
 * `ca` entry) copies the store Node keeps parsed, so the context trusts the same roots and
 * the bundle, as the list would.
 */
function withExtraCa(context: tls.SecureContext, options: tls.SecureContextOptions, extraCa: string): tls.SecureContext {
  const native = nativeOf(context);
  if (typeof native?.addCACert !== 'function') return tls.createSecureContext({ ...options, ca: bundledRootsAnd(extraCa) });
  native.addCACert(extraCa);
  return context;
}

/** The default store (and the bundle on top of it) added by completeTrust, before the first connection. */
function withRootsLater(context: tls.SecureContext, options: tls.SecureContextOptions, extraCa: string | undefined): tls.SecureContext {
  const native = nativeOf(context);
  const { ca: _deferred, ...withDefaults } = options;
  if (typeof native?.addRootCerts !== 'function' || typeof native.addCACert !== 'function') {
    const complete = tls.createSecureContext(withDefaults);
    return extraCa ? withExtraCa(complete, withDefaults, extraCa) : complete;
  }
  const handle = native as Required<NativeContext>;
  pendingRoots.set(context, () => {
    // What createSecureContext does without `ca`, then the bundle on a copy of that store.
    handle.addRootCerts();
    if (extraCa) handle.addCACert(extraCa);
  });
  return context;
}

/** Adds the default store a context left for its first connection; nothing for any other context. */
export function completeTrust(context: tls.SecureContext): void {
  const complete = pendingRoots.get(context);
  if (!complete) return;
  pendingRoots.delete(context);
  complete();
}
