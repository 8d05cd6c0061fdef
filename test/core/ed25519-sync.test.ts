import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as ed from '@noble/ed25519';
import { fromHex, mutableSignedBytes, utf8, verifyEd25519 } from '../../src/core/index.js';
import { verifyEd25519Sync } from '../../src/core/ed25519-sync.js';
import { IDENTITY, L, SMALL_ORDER_CANONICAL, SMALL_ORDER_NON_CANONICAL, SPECCHECK, prng, randomBytesFrom, signatureOf, toLe32 } from './ed25519-cases.js';

const sha512 = (b: Uint8Array) => createHash('sha512').update(b).digest();
const sync = (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array) => verifyEd25519Sync(sig, msg, pk, sha512);

describe('verifyEd25519Sync: the same strict rule as verifyEd25519, without awaiting', () => {
  it('"Taming the many EdDSAs" table: only vector 3 verifies, as with the async rule', async () => {
    for (const [i, v] of SPECCHECK.entries()) {
      const args = [fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey)] as const;
      expect(sync(...args), v.note).toBe(i === 3);
      expect(sync(...args)).toBe(await verifyEd25519(...args));
    }
  });

  it('RFC 8032 section 7.1 TEST 1 verifies; one flipped bit does not', () => {
    const pk = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = fromHex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b');
    expect(sync(sig, new Uint8Array(0), pk)).toBe(true);
    const bad = sig.slice();
    bad[10] ^= 1;
    expect(sync(bad, new Uint8Array(0), pk)).toBe(false);
  });

  it('BEP 44 test vector (no salt) verifies over its signed bytes', () => {
    const pk = fromHex('77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548');
    const sig = fromHex('305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01');
    expect(sync(sig, mutableSignedBytes(1, utf8('12:Hello World!')), pk)).toBe(true);
    expect(sync(sig, mutableSignedBytes(2, utf8('12:Hello World!')), pk)).toBe(false);
  });

  it('refuses small-order and non-canonical keys, S >= L, and malformed input, never throwing', async () => {
    const msg = utf8('m');
    expect(sync(signatureOf(IDENTITY, 0n), msg, IDENTITY)).toBe(false);
    for (const { hex } of SMALL_ORDER_CANONICAL) expect(sync(signatureOf(IDENTITY, 0n), msg, fromHex(hex))).toBe(false);
    for (const hex of SMALL_ORDER_NON_CANONICAL) expect(sync(signatureOf(IDENTITY, 0n), msg, fromHex(hex))).toBe(false);
    const { secretKey, publicKey } = await ed.keygenAsync();
    const good = await ed.signAsync(msg, secretKey);
    expect(sync(good, msg, publicKey)).toBe(true);
    // S + L: the same point equation, a second encoding; refused (RFC 8032 5.1.7 step 1).
    const s = BigInt(`0x${Buffer.from(good.slice(32)).reverse().toString('hex')}`);
    const malleable = new Uint8Array([...good.slice(0, 32), ...toLe32(s + L)]);
    expect(sync(malleable, msg, publicKey)).toBe(false);
    expect(sync(good.slice(0, 63), msg, publicKey)).toBe(false);
    expect(sync(good, msg, publicKey.slice(0, 31))).toBe(false);
    expect(sync('x' as unknown as Uint8Array, msg, publicKey)).toBe(false);
  });

  it('agrees with the async rule on 200 seeded random and mutated inputs', async () => {
    const rand = prng(13);
    const { secretKey, publicKey } = await ed.keygenAsync();
    for (let i = 0; i < 200; i++) {
      const msg = randomBytesFrom(rand, Math.floor(rand() * 64));
      const sig = await ed.signAsync(msg, secretKey);
      if (i % 2) sig[Math.floor(rand() * 64)] ^= 1 << Math.floor(rand() * 8);
      const pk = i % 7 === 0 ? randomBytesFrom(rand, 32) : publicKey;
      expect(sync(sig, msg, pk)).toBe(await verifyEd25519(sig, msg, pk));
    }
  });
});
