/**
 * Reproducible pseudo-random bytes for large-body tests.
 *
 * The stream is the AES-128-CTR keystream with key = first 16 bytes of SHA-256(seed as UTF-8)
 * and an all-zero IV, i.e. AES-CTR encryption of zeros. It is native, runs at GB/s, and anyone
 * can reproduce it (even `openssl enc -aes-128-ctr -K <key> -iv 0 < /dev/zero`).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

export const DETERMINISTIC_CHUNK_SIZE = 64 * 1024;

const ZEROS = Buffer.alloc(DETERMINISTIC_CHUNK_SIZE);

/** Yields `size` bytes in chunks of 64 KiB (the last one shorter); lazily, so memory stays flat. */
export function* deterministicBytes(size: number, seed = '0'): Generator<Buffer, void, undefined> {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid size: ${size}`);
  const key = createHash('sha256').update(seed, 'utf8').digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  let remaining = size;
  while (remaining > 0) {
    const n = Math.min(remaining, DETERMINISTIC_CHUNK_SIZE);
    remaining -= n;
    yield cipher.update(n === DETERMINISTIC_CHUNK_SIZE ? ZEROS : ZEROS.subarray(0, n));
  }
}

/** A readable stream over {@link deterministicBytes}; it honours backpressure. */
export function deterministicStream(size: number, seed = '0'): Readable {
  return Readable.from(deterministicBytes(size, seed), { objectMode: false });
}

/** The hex SHA-256 of the stream, computed without holding it in memory. */
export function deterministicSha256(size: number, seed = '0'): string {
  const hash = createHash('sha256');
  for (const chunk of deterministicBytes(size, seed)) hash.update(chunk);
  return hash.digest('hex');
}
