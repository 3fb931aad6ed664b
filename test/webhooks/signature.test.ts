// The signature against vectors computed with OpenSSL (test/webhooks/data/golden.json).
import { describe, expect, it } from 'vitest';
import { checkSignature, sign } from '../../src/webhooks/index.js';
import { golden } from './helpers.js';

describe('webhook signatures', () => {
  const vectors = golden();

  it('signs the exact body bytes as OpenSSL does, in hex and in base64', () => {
    expect(vectors.body.toString('utf8')).toMatch(/Zoë – café ✓/);
    expect(sign(vectors.body, vectors.secret, 'hex')).toBe(vectors.hex);
    expect(sign(vectors.body, vectors.secret, 'base64')).toBe(vectors.base64);
  });

  it('recognises both encodings, and hex in capitals', () => {
    expect(checkSignature(vectors.body, vectors.hex, vectors.secret)).toEqual({ result: 'valid', encoding: 'hex' });
    expect(checkSignature(vectors.body, vectors.base64, vectors.secret)).toEqual({ result: 'valid', encoding: 'base64' });
    expect(checkSignature(vectors.body, vectors.hex.toUpperCase(), vectors.secret)).toEqual({ result: 'valid', encoding: 'hex', upperCaseHex: true });
    expect(checkSignature(vectors.body, undefined, vectors.secret)).toEqual({ result: 'missing' });
    expect(checkSignature(vectors.body, vectors.hex, 'another secret')).toEqual({ result: 'invalid' });
  });

  it('fails for the same event serialised again (spacing and escapes change the bytes)', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(vectors.body.toString('utf8'))));
    expect(reserialised.equals(vectors.body)).toBe(false);
    expect(checkSignature(reserialised, vectors.hex, vectors.secret).result).toBe('invalid');
    expect(checkSignature(reserialised, vectors.base64, vectors.secret).result).toBe('invalid');
  });
});
