import { Point } from '@noble/ed25519';
import { concatBytes } from './bytes.js';
import { subtle } from './platform.js';

/**
 * The one Ed25519 verification rule of this project: exactly what the strict verifiers
 * (libsodium's `crypto_sign_verify_detached`, ed25519-dalek's `verify_strict`) accept,
 * which is never more than what OpenSSL or WebCrypto accept. RFC 8032 section 5.1.7
 * leaves room for choices (cofactored or not, small-order points, encodings); every
 * choice below is the stricter one, so that each (key, message) pair has at most one
 * valid signature encoding and no key or signature is valid "for every message".
 *
 * A signature (R, S) on message M under key A verifies when all of:
 *  1. S < L (RFC 8032 section 5.1.7 step 1; S + L would be a second encoding).
 *  2. A and R are canonical encodings: y < p, and no "negative zero" x (section 5.1.3).
 *  3. Neither A nor R is one of the eight points of small order (any encoding). A
 *     small-order A is a key for which one (R, S) verifies every message; a small-order R
 *     lets S = k·a mod L verify under the cofactorless equation without knowing r.
 *  4. [S]B = R + [k]A with k = SHA-512(R || A || M) mod L, WITHOUT multiplying by the
 *     cofactor 8: the cofactored form also accepts R plus any torsion point, which
 *     OpenSSL and libsodium refuse.
 *
 * noble's own `verify(..., { zip215: false })` (v3) does 1, 2 and the A half of 3 but
 * accepts a small-order R and uses the cofactored equation, so a signature it accepts
 * may be refused by OpenSSL ("Taming the many EdDSAs", Chalkias, Garillot and
 * Nikolaenko 2020, vectors 2, 4 and 5). Hence this module; noble supplies the curve
 * arithmetic only.
 */

/** Order of the prime-order subgroup, RFC 8032 section 5.1 ("L"). */
export const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;
/** The field prime, RFC 8032 section 5.1 ("p"). */
const P = 2n ** 255n - 19n;

/** Why 32 bytes are not an acceptable Ed25519 point (a public key or a signature's R). */
export type PointProblem = 'length' | 'non-canonical' | 'not-on-curve' | 'small-order';

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

function equal32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Decodes a point under rules 2 and 3 above; answers the point or what is wrong with it. */
function decodeStrictPoint(bytes: Uint8Array): Point | PointProblem {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) return 'length';
  // RFC 8032 section 5.1.3 step 1: the 255-bit y must be below p.
  const y = littleEndian(bytes) & ((1n << 255n) - 1n);
  if (y >= P) return 'non-canonical';
  // Step 4: x = 0 (only for y = 1 or y = p - 1) has no negative, so its sign bit must be 0.
  if ((bytes[31] & 0x80) !== 0 && (y === 1n || y === P - 1n)) return 'non-canonical';
  let point: Point;
  try {
    point = Point.fromBytes(bytes, false);
  } catch {
    return 'not-on-curve'; // y has no square root for x (section 5.1.3 step 3)
  }
  // Belt and braces: one point, one encoding, whatever the decoder let through.
  if (!equal32(point.toBytes(), bytes)) return 'non-canonical';
  if (point.isSmallOrder()) return 'small-order';
  return point;
}

/**
 * What makes `bytes` unusable as a public key or as R, or undefined when it is a
 * canonical encoding of a point that is not of small order. Never throws.
 */
export function pointProblem(bytes: Uint8Array): PointProblem | undefined {
  try {
    const decoded = decodeStrictPoint(bytes);
    return decoded instanceof Point ? undefined : decoded;
  } catch {
    return 'not-on-curve';
  }
}

/**
 * Verifies an Ed25519 signature under the strict rule above (RFC 8032 section 5.1.7,
 * cofactorless, canonical, no small-order A or R). Answers false rather than throwing
 * on any malformed input.
 */
export async function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  if (!(signature instanceof Uint8Array) || !(message instanceof Uint8Array) || signature.length !== 64) return false;
  try {
    const s = littleEndian(signature.subarray(32, 64));
    if (s >= ED25519_L) return false;
    const A = decodeStrictPoint(publicKey);
    const R = decodeStrictPoint(signature.subarray(0, 32));
    if (!(A instanceof Point) || !(R instanceof Point)) return false;
    // Section 5.1.7 step 2: k from the bytes as given, which rule 2 made canonical.
    const digest = new Uint8Array(await subtle.digest('SHA-512', concatBytes(signature.subarray(0, 32), publicKey, message)));
    const k = littleEndian(digest) % ED25519_L;
    // Step 3 without the factor 8: [S]B = R + [k]A. `false` selects noble's
    // variable-time multiply, which also allows a zero scalar; every input is public.
    return Point.BASE.multiply(s, false).equals(R.add(A.multiply(k, false)));
  } catch {
    return false;
  }
}
