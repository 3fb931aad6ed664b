// X-Signature-SHA512: an HMAC-SHA512 of the body's bytes, keyed with the connector's secret.
// Ons does not publish the digest's encoding, so both are supported and `verify` tells which
// one a real delivery used.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-signature-sha512';
export const SIGNATURE_ENCODINGS = ['hex', 'base64'] as const;
export type SignatureEncoding = (typeof SIGNATURE_ENCODINGS)[number];
/** An assumption, not a published fact: see the README's webhooks section. */
export const DEFAULT_SIGNATURE_ENCODING: SignatureEncoding = 'hex';

export function sign(body: Buffer, secret: string, encoding: SignatureEncoding = DEFAULT_SIGNATURE_ENCODING): string {
  return createHmac('sha512', secret).update(body).digest(encoding);
}

/** A signature that fails everywhere: the digest of other bytes (the NOP pair's bad half). */
export function wrongSignature(body: Buffer, secret: string, encoding: SignatureEncoding = DEFAULT_SIGNATURE_ENCODING): string {
  return sign(Buffer.concat([body, Buffer.from(' ')]), secret, encoding);
}

export interface SignatureCheck {
  readonly result: 'valid' | 'invalid' | 'missing';
  /** The encoding the header matched in. */
  readonly encoding?: SignatureEncoding;
  /** Hex in capitals: it matched, but not in the lower case Node writes. */
  readonly upperCaseHex?: boolean;
}

/** Checks a header value against the body's digest in both encodings, in constant time. */
export function checkSignature(body: Buffer, header: string | undefined, secret: string): SignatureCheck {
  if (header === undefined || header.trim() === '') return { result: 'missing' };
  const given = header.trim().replace(/^sha512=/i, '');
  const digest = createHmac('sha512', secret).update(body).digest();
  if (/^[0-9a-fA-F]{128}$/.test(given) && timingSafeEqual(Buffer.from(given, 'hex'), digest)) {
    return given === given.toLowerCase() ? { result: 'valid', encoding: 'hex' } : { result: 'valid', encoding: 'hex', upperCaseHex: true };
  }
  const expected = Buffer.from(digest.toString('base64'));
  const candidate = Buffer.from(given);
  if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return { result: 'valid', encoding: 'base64' };
  return { result: 'invalid' };
}

export function signatureHeaderText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
