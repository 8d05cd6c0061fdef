import { Point } from '@noble/ed25519';
import { concatBytes } from './bytes.js';
import { ED25519_L, pointProblem } from './ed25519.js';

/** A synchronous SHA-512 (Node's `createHash('sha512')`, a pure-JS one in a worker...). */
export type Sha512Sync = (bytes: Uint8Array) => Uint8Array;

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/**
 * The project's one strict Ed25519 rule (see ed25519.ts: S < L, canonical A and R, no
 * small-order A or R, cofactorless equation), answered synchronously. `verifyEd25519`
 * is async only because WebCrypto's SHA-512 is; the BitTorrent DHT library calls its
 * `verify(sig, msg, pubkey)` for BEP 44 items synchronously, so the digest is a
 * parameter here and the core stays free of Node. Answers false, never throws.
 */
export function verifyEd25519Sync(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, sha512: Sha512Sync): boolean {
  if (!(signature instanceof Uint8Array) || !(message instanceof Uint8Array) || signature.length !== 64) return false;
  try {
    // RFC 8032 section 5.1.7 step 1: S < L.
    if (littleEndian(signature.subarray(32, 64)) >= ED25519_L) return false;
    const rBytes = signature.subarray(0, 32);
    // Rules 2 and 3 (canonical, not small order) through the same decoder as the async verify.
    if (pointProblem(publicKey) !== undefined || pointProblem(rBytes) !== undefined) return false;
    const A = Point.fromBytes(publicKey, false);
    const R = Point.fromBytes(rBytes, false);
    const k = littleEndian(sha512(concatBytes(rBytes, publicKey, message))) % ED25519_L;
    // Step 3 without the cofactor: [S]B = R + [k]A.
    const s = littleEndian(signature.subarray(32, 64));
    return Point.BASE.multiply(s, false).equals(R.add(A.multiply(k, false)));
  } catch {
    return false;
  }
}
