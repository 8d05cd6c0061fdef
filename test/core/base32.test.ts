import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, CoreError, generateKeyPair, publicKeyFromAddress } from '../../src/core/index.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function refusal(run: () => unknown): CoreError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(CoreError);
    return err as CoreError;
  }
  throw new Error('expected a CoreError, nothing was thrown');
}

describe('base32 addresses: one spelling per key', () => {
  it('52 characters carry 260 bits for 256: the last character has 1 data bit and 4 unused bits', async () => {
    const { publicKey } = await generateKeyPair();
    const address = base32Encode(publicKey);
    expect(address).toHaveLength(52);
    expect(52 * 5 - 32 * 8).toBe(4);
    // Of the 32 possible last characters exactly two decode: data bit 0 ("a") or 1 ("q").
    const accepted = [...ALPHABET].filter((c) => {
      try {
        publicKeyFromAddress(address.slice(0, 51) + c);
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted).toEqual(['a', 'q']);
  });

  it('refuses a last character with any one of the four unused bits set, with E_BAD_ADDRESS', async () => {
    const { publicKey } = await generateKeyPair();
    const address = base32Encode(publicKey);
    const last = ALPHABET.indexOf(address[51]);
    for (const bit of [1, 2, 4, 8]) {
      const tweaked = address.slice(0, 51) + ALPHABET[last | bit];
      const err = refusal(() => publicKeyFromAddress(tweaked));
      expect(err.code, `bit ${bit}`).toBe('E_BAD_ADDRESS');
      expect(err.message).toMatch(/sets some of its 4 unused low bits, which must be zero/);
    }
    // The data bit itself is not an unused bit: flipping it spells another key.
    const other = address.slice(0, 51) + ALPHABET[last ^ 16];
    expect(publicKeyFromAddress(other)).not.toEqual(publicKey);
  });

  it('checks the unused bits of every length it decodes (RFC 4648 section 3.5)', () => {
    // 1 byte in 2 characters leaves 2 unused bits; 2 bytes in 4 leave 4; 3 in 5 leave 1; 4 in 7 leave 3.
    for (const [good, bits] of [['my', 2], ['mzxq', 4], ['mzxw6', 1], ['mzxw6yq', 3]] as const) {
      expect(base32Encode(base32Decode(good))).toBe(good);
      for (let b = 1; b < 1 << bits; b++) {
        const bad = good.slice(0, -1) + ALPHABET[ALPHABET.indexOf(good[good.length - 1]) | b];
        expect(refusal(() => base32Decode(bad)).code, bad).toBe('E_BAD_ADDRESS');
      }
    }
  });
});
