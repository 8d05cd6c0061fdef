import { createHash } from 'node:crypto';
import { ED25519_L, fromHex } from '../../src/core/index.js';

/**
 * Shared helpers and known-answer data for the Ed25519 tests (strict rule and the
 * OpenSSL differential).
 */

export const P = 2n ** 255n - 19n;
export const L = ED25519_L;

/**
 * "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko, SSR 2020,
 * https://eprint.iacr.org/2020/1244), the 12 vectors of its test table as published in
 * novifinancial/ed25519-speccheck `cases.json`. Columns of that table: S range, order of
 * A and R ("small", "mixed" = torsion component plus a large one, "L" = prime order),
 * and whether cofactored / cofactorless verification accepts.
 * Published results: libsodium and Dalek `verify_strict` accept only vector 3; OpenSSL 3
 * accepts 0, 1, 2, 3 and 11.
 */
export const SPECCHECK: { note: string; message: string; publicKey: string; signature: string }[] = [
  { note: '0: S = 0, small A, small R', message: '8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6', publicKey: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', signature: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000' },
  { note: '1: small A, mixed R', message: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', publicKey: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', signature: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04' },
  { note: '2: mixed A, small R', message: 'aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab', publicKey: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', signature: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e' },
  { note: '3: mixed A, mixed R, valid cofactorless', message: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', publicKey: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', signature: '9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009' },
  { note: '4: mixed A, mixed R, valid cofactored only', message: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', publicKey: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', signature: '160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09' },
  { note: '5: mixed A, R of order L, cofactored with pre-reduced 8h only', message: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', publicKey: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', signature: '21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405' },
  { note: '6: S > L', message: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', publicKey: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', signature: 'e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514' },
  { note: '7: S >> L', message: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', publicKey: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', signature: '8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22' },
  { note: '8: non-canonical R, reduced for the hash', message: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', publicKey: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', signature: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f' },
  { note: '9: non-canonical R, not reduced for the hash', message: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', publicKey: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', signature: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908' },
  { note: '10: non-canonical A, reduced for the hash', message: 'e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b', publicKey: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', signature: 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04' },
  { note: '11: non-canonical A, not reduced for the hash', message: '39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f', publicKey: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', signature: 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04' },
];

/**
 * The eight points of small order in their canonical encodings, and the six other
 * encodings of some of them (y ≥ p, or x = 0 with the sign bit set), as listed in
 * C2SP/CCTV `ed25519/README.md` ("Low-order edwards25519 point encodings").
 */
export const SMALL_ORDER_CANONICAL: { hex: string; order: number }[] = [
  { hex: '0100000000000000000000000000000000000000000000000000000000000000', order: 1 },
  { hex: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', order: 2 },
  { hex: '0000000000000000000000000000000000000000000000000000000000000000', order: 4 },
  { hex: '0000000000000000000000000000000000000000000000000000000000000080', order: 4 },
  { hex: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', order: 8 },
  { hex: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', order: 8 },
  { hex: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', order: 8 },
  { hex: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', order: 8 },
];
export const SMALL_ORDER_NON_CANONICAL: string[] = [
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p (0), order 4
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // y = p (0), other sign
  '0100000000000000000000000000000000000000000000000000000000000080', // identity, x = -0
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // identity, y = p + 1
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // identity, x = -0, y = p + 1
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // order 2, x = -0
];
export const IDENTITY = fromHex(SMALL_ORDER_CANONICAL[0].hex);

export function toLe32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 255n);
    n >>= 8n;
  }
  return out;
}

export function fromLe(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/** k = SHA-512(R || A || M) mod L (RFC 8032 section 5.1.7 step 2), computed by Node, not by the code under test. */
export function challenge(r: Uint8Array, a: Uint8Array, message: Uint8Array): bigint {
  return fromLe(createHash('sha512').update(r).update(a).update(message).digest()) % L;
}

export function signatureOf(r: Uint8Array, s: bigint): Uint8Array {
  const out = new Uint8Array(64);
  out.set(r, 0);
  out.set(toLe32(s), 32);
  return out;
}

/** Small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytesFrom(rand: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(rand() * 256));
}
