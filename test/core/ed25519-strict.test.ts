import { describe, expect, it } from 'vitest';
import * as ed from '@noble/ed25519';
import { fromHex, pointProblem, toHex, utf8, verifyEd25519 } from '../../src/core/index.js';
import {
  IDENTITY,
  L,
  P,
  SMALL_ORDER_CANONICAL,
  SMALL_ORDER_NON_CANONICAL,
  SPECCHECK,
  challenge,
  fromLe,
  signatureOf,
  toLe32,
} from './ed25519-cases.js';

const { Point } = ed;

// RFC 8032 section 7.1 TEST 1 (also in vectors.test.ts, with TEST 2 and 3).
const SECRET = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');

describe('strict Ed25519: "Taming the many EdDSAs" test table', () => {
  // Only vector 3 (mixed-order A and R, valid under both equations) may verify: that is
  // what libsodium and Dalek verify_strict answer, and each of the others is refused by
  // one rule (small A or R: 0, 1, 2; cofactored only: 4, 5; S >= L: 6, 7; non-canonical:
  // 8 to 11).
  for (const [i, v] of SPECCHECK.entries()) {
    it(`vector ${v.note}: ${i === 3 ? 'accepted' : 'refused'}`, async () => {
      expect(await verifyEd25519(fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey))).toBe(i === 3);
    });
  }

  it('noble v3 verify with zip215: false alone accepts vectors 2, 4 and 5, which is why its checks are not enough', async () => {
    const accepted: number[] = [];
    for (const [i, v] of SPECCHECK.entries()) {
      if (await ed.verifyAsync(fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey), { zip215: false })) accepted.push(i);
    }
    expect(accepted).toEqual([2, 3, 4, 5]);
  });
});

describe('strict Ed25519: forged signatures that lenient verifiers accept', () => {
  it('refuses the identity key with R = identity and S = 0, a "signature" of every message', async () => {
    const signature = signatureOf(IDENTITY, 0n);
    for (const text of ['', 'any message', 'another one']) {
      const message = utf8(text);
      // It satisfies the cofactorless equation: [0]B = I = I + [k]I.
      const k = challenge(IDENTITY, IDENTITY, message);
      expect(Point.BASE.multiply(0n, false).equals(Point.fromBytes(IDENTITY).add(Point.fromBytes(IDENTITY).multiply(k, false)))).toBe(true);
      expect(await verifyEd25519(signature, message, IDENTITY)).toBe(false);
    }
    expect(pointProblem(IDENTITY)).toBe('small-order');
  });

  it('refuses R = identity with S = k·a mod L for a real key, though [S]B = R + [k]A holds', async () => {
    const { scalar, pointBytes } = await ed.utils.getExtendedPublicKeyAsync(SECRET);
    const message = utf8('signed without a nonce');
    const s = (challenge(IDENTITY, pointBytes, message) * scalar) % L;
    const signature = signatureOf(IDENTITY, s);
    const A = Point.fromBytes(pointBytes);
    expect(Point.BASE.multiply(s, false).equals(Point.fromBytes(IDENTITY).add(A.multiply(challenge(IDENTITY, pointBytes, message), false)))).toBe(true);
    expect(await verifyEd25519(signature, message, pointBytes)).toBe(false);
    // The same construction with every other small-order R: all refused.
    for (const { hex } of SMALL_ORDER_CANONICAL) {
      const r = fromHex(hex);
      const k = challenge(r, pointBytes, message);
      expect(await verifyEd25519(signatureOf(r, (k * scalar) % L), message, pointBytes), hex).toBe(false);
    }
  });

  it('refuses R plus a torsion point, which only the cofactored equation accepts', async () => {
    const { scalar, pointBytes } = await ed.utils.getExtendedPublicKeyAsync(SECRET);
    const message = utf8('torsion');
    const t = Point.fromBytes(fromHex(SMALL_ORDER_CANONICAL[6].hex)); // order 8
    const r = 12345678901234567890n;
    const R = Point.BASE.multiply(r).add(t).toBytes();
    const s = (r + challenge(R, pointBytes, message) * scalar) % L;
    // [8][S]B = [8]R + [8][k]A holds, [S]B = R + [k]A does not.
    const sb = Point.BASE.multiply(s);
    const rka = Point.fromBytes(R).add(Point.fromBytes(pointBytes).multiply(challenge(R, pointBytes, message)));
    expect(sb.clearCofactor().equals(rka.clearCofactor())).toBe(true);
    expect(sb.equals(rka)).toBe(false);
    expect(await verifyEd25519(signatureOf(R, s), message, pointBytes)).toBe(false);
    // Without the torsion point it is an ordinary valid signature.
    const R0 = Point.BASE.multiply(r).toBytes();
    expect(await verifyEd25519(signatureOf(R0, (r + challenge(R0, pointBytes, message) * scalar) % L), message, pointBytes)).toBe(true);
  });

  it('refuses non-canonical encodings of A and R (y ≥ p, or x = -0) even when the equation holds for them', async () => {
    const { scalar, pointBytes } = await ed.utils.getExtendedPublicKeyAsync(SECRET);
    const message = utf8('non-canonical');
    // R = identity spelt y = p + 1 and x = -0; k hashed over those very bytes (ZIP-215 style).
    for (const hex of ['eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', '0100000000000000000000000000000000000000000000000000000000000080']) {
      const r = fromHex(hex);
      expect(await verifyEd25519(signatureOf(r, (challenge(r, pointBytes, message) * scalar) % L), message, pointBytes), hex).toBe(false);
    }
    // A = identity spelt y = p + 1, with R = identity and S = 0.
    const a = fromHex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    expect(await verifyEd25519(signatureOf(IDENTITY, 0n), message, a)).toBe(false);
  });

  it('refuses S ≥ L: S = L, S + L on a valid signature, 2^256 - 1', async () => {
    const message = utf8('scalar range');
    const signature = await ed.signAsync(message, SECRET);
    const publicKey = await ed.getPublicKeyAsync(SECRET);
    expect(await verifyEd25519(signature, message, publicKey)).toBe(true);
    const s = fromLe(signature.subarray(32));
    for (const bad of [s + L, L, 2n ** 256n - 1n]) {
      const copy = signature.slice();
      copy.set(toLe32(bad), 32);
      expect(await verifyEd25519(copy, message, publicKey), bad.toString(16)).toBe(false);
    }
  });
});

describe('strict Ed25519: point encodings', () => {
  it('the eight small-order points are exactly the multiples of one point of order 8 (known answers from C2SP/CCTV)', () => {
    const t = Point.fromBytes(fromHex(SMALL_ORDER_CANONICAL[6].hex));
    const multiples = new Set<string>();
    let q = Point.ZERO;
    for (let i = 0; i < 8; i++, q = q.add(t)) multiples.add(toHex(q.toBytes()));
    expect([...multiples].sort()).toEqual(SMALL_ORDER_CANONICAL.map((p) => p.hex).sort());
    for (const { hex, order } of SMALL_ORDER_CANONICAL) {
      const point = Point.fromBytes(fromHex(hex));
      let n = 1;
      for (let m = point; !m.equals(Point.ZERO); m = m.add(point)) n++;
      expect(n, hex).toBe(order);
      expect(pointProblem(fromHex(hex)), hex).toBe('small-order');
    }
  });

  it('refuses the six non-canonical small-order encodings and all 38 encodings with y ≥ p', () => {
    for (const hex of SMALL_ORDER_NON_CANONICAL) expect(pointProblem(fromHex(hex)), hex).toBe('non-canonical');
    for (let y = P; y < 2n ** 255n; y++) {
      for (const sign of [0, 0x80]) {
        const bytes = toLe32(y);
        bytes[31] |= sign;
        expect(pointProblem(bytes), toHex(bytes)).toBe('non-canonical');
      }
    }
  });

  it('accepts a generated key and a mixed-order key (speccheck vector 3), refuses an off-curve y and wrong lengths', async () => {
    expect(pointProblem(await ed.getPublicKeyAsync(SECRET))).toBeUndefined();
    expect(pointProblem(fromHex(SPECCHECK[3].publicKey))).toBeUndefined();
    expect(pointProblem(toLe32(2n))).toBe('not-on-curve'); // y = 2 has no x on the curve
    expect(pointProblem(new Uint8Array(31))).toBe('length');
    expect(await verifyEd25519(new Uint8Array(64), new Uint8Array(0), toLe32(2n))).toBe(false);
  });
});
