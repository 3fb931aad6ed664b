import { createRequire } from 'node:module';
import type forge from 'node-forge';

let loaded: typeof forge | undefined;

/**
 * node-forge is only needed to read PKCS#12 files and to write CSRs; loading it lazily
 * keeps it off the start path of a proxy that uses PEM files.
 */
export function loadForge(): typeof forge {
  loaded ??= createRequire(import.meta.url)('node-forge') as typeof forge;
  return loaded;
}

/**
 * One attribute of a certificate's or CSR's subject, with the ASN.1 string type to encode
 * it as. forge's default, PrintableString, cannot hold the "_" every Ons common name
 * contains (nor accented names): OpenSSL accepts it anyway, Go's x509 refuses the certificate.
 */
export function subjectField(name: string, value: string, type: forge.asn1.Type): forge.pki.CertificateField {
  // @types/node-forge declares valueTagClass as an asn1.Class; forge reads it as the asn1.Type of the value.
  return { name, value, valueTagClass: type as unknown as forge.asn1.Class };
}
