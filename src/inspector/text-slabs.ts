// Where the ring keeps its records' bytes: copied side by side into slabs that are reused
// once the ring has dropped every record in them, so holding records allocates no new
// memory outside V8's heap in the steady state.
//
// Why (issue 26, BENCHMARKS.md "The p99 at 4 connections"): V8 counts every ArrayBuffer's
// bytes as external memory, and counts what was allocated since the last mark-compact
// against the old generation's room. Young buffers are swept by the next scavenge, but the
// ring keeps a record for hundreds of exchanges, so each record's bytes outlived two
// scavenges and could only be freed by a mark-compact: at ~6 KB a record (a 4 KB answer),
// V8 started one every ~1,500 exchanges, and some exchange waited through each pause.
const SLAB_BYTES = 1024 * 1024;
// A text this large gets a buffer of its own: few records are, and one would crowd a slab.
const OWN_BUFFER_FROM = SLAB_BYTES / 4;
// Slabs kept for reuse beyond the one being filled; more are left to the GC (the ring shrank).
const SPARE_SLABS = 2;

interface Slab {
  readonly bytes: Buffer;
  used: number;
  /** How many stored texts in this slab the ring still holds. */
  live: number;
}

export class TextSlabs {
  #current: Slab | undefined;
  readonly #spare: Buffer[] = [];
  readonly #slabOf = new Map<ArrayBufferLike, Slab>();

  /** A copy of the pieces of a text, side by side in a slab; hand it back to `release` when it is no longer held. */
  store(pieces: readonly Buffer[]): Buffer {
    let length = 0;
    for (const piece of pieces) length += piece.length;
    if (length >= OWN_BUFFER_FROM) return Buffer.concat(pieces as Buffer[], length);
    let slab = this.#current;
    if (!slab || slab.used + length > slab.bytes.length) {
      slab = { bytes: this.#spare.pop() ?? Buffer.allocUnsafeSlow(SLAB_BYTES), used: 0, live: 0 };
      this.#slabOf.set(slab.bytes.buffer, slab);
      this.#current = slab;
    }
    const stored = slab.bytes.subarray(slab.used, slab.used + length);
    let at = 0;
    for (const piece of pieces) at += piece.copy(stored, at);
    slab.used += length;
    slab.live++;
    return stored;
  }

  /** The stored text is dropped and must not be read again: its bytes will be overwritten. */
  release(stored: Buffer): void {
    const slab = this.#slabOf.get(stored.buffer);
    if (!slab || --slab.live > 0) return;
    if (slab === this.#current) {
      slab.used = 0;
      return;
    }
    this.#slabOf.delete(slab.bytes.buffer);
    if (this.#spare.length < SPARE_SLABS) this.#spare.push(slab.bytes);
  }
}
