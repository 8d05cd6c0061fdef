import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { subtle } from './platform.js';

/** SHA-256 via WebCrypto (native in Node 20 and every browser). */
export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle.digest('SHA-256', data));
}

/** SHA-1, only for BitTorrent v1 piece hashes and info hashes (BEP 3), never for trust. */
export async function sha1(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle.digest('SHA-1', data));
}

/**
 * SHA-256 fed in parts, for files that arrive piece by piece: WebCrypto hashes only whole
 * buffers, which would mean holding and copying a whole large file in one go. Each
 * `update` costs time proportional to its bytes only, so a caller can hash in small
 * slices and yield between them (src/swarm/site-chunk-store.ts yields every 8 ms).
 * The compression function is @noble/hashes' (audited, the same author and audit trail
 * as @noble/ed25519), not a copy of FIPS 180-4 written here; this wrapper keeps the count
 * of bytes and refuses use after `digest()` with a message that says what to do.
 */
export class Sha256 {
  private readonly hash = nobleSha256.create();
  private length = 0;
  private finished = false;

  /** Bytes hashed so far. */
  get bytesHashed(): number {
    return this.length;
  }

  /** @throws {Error} when called after `digest()` */
  update(data: Uint8Array): this {
    if (this.finished) throw new Error('Sha256.update() called after digest(); start a new Sha256');
    this.hash.update(data);
    this.length += data.length;
    return this;
  }

  /** The 32-byte hash; the instance cannot be fed after this. */
  digest(): Uint8Array {
    if (this.finished) throw new Error('Sha256.digest() called twice; start a new Sha256');
    this.finished = true;
    return this.hash.digest();
  }
}
