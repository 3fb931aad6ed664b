import tls from 'node:tls';
import { UserError } from '../config/errors.js';
import type { ClientIdentity } from './identity.js';
import { bundledRootsAnd, trustedCaList, type ClientMaterial } from './material.js';

/**
 * Builds the secure context once, so each new upstream connection reuses the parsed
 * key, chain and CA store instead of parsing them again per handshake.
 */
export function createClientSecureContext(material: ClientMaterial, identity: ClientIdentity): tls.SecureContext {
  const options: tls.SecureContextOptions = { minVersion: 'TLSv1.2' };
  // Without an extra bundle Node's own default store applies; passing it explicitly would
  // parse every root certificate again (a third of a second at start).
  const caList = material.extraCa ? trustedCaList(material.extraCa) : undefined;
  if (caList) options.ca = caList;
  // TLS gets the identity as parsed and checked, whatever the file form: the leaf first (a file
  // that lists its chain before the certificate would otherwise present the wrong one), and
  // the key already decrypted. A PKCS#12 file from an older Windows export (RC2/3DES) then
  // works too, though OpenSSL 3 alone would refuse it without its legacy provider.
  options.cert = [identity.certificate, ...identity.chain].map((certificate) => certificate.toString()).join('\n');
  options.key = identity.privateKey.export({ type: 'pkcs8', format: 'pem' });
  try {
    const context = tls.createSecureContext(options);
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
  const native = (context as { context?: { addCACert?: (pem: string) => void } }).context;
  if (typeof native?.addCACert !== 'function') return tls.createSecureContext({ ...options, ca: bundledRootsAnd(extraCa) });
  native.addCACert(extraCa);
  return context;
}
