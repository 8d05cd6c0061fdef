import { describe, expect, it } from 'vitest';
import * as ed from '@noble/ed25519';
import {
  addressFromPublicKey,
  assertPublisherKey,
  CoreError,
  fromHex,
  isAddress,
  parseManifest,
  pointProblem,
  publicKeyFromAddress,
  publisherKeyFromAddress,
  toHex,
  verifyManifest,
  type Manifest,
} from '../../src/core/index.js';
import { FIXED_SECRET, sampleBundle } from '../helpers/fixtures.js';
import { IDENTITY, P, SMALL_ORDER_CANONICAL, SMALL_ORDER_NON_CANONICAL, SPECCHECK, signatureOf, toLe32 } from './ed25519-cases.js';

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(CoreError);
    return (err as CoreError).code;
  }
  throw new Error('expected a CoreError, nothing was thrown');
}

/** A large-order point has y in 2..18 for some y; its y + p spelling is non-canonical but decodes under lax rules. */
function nonCanonicalLargeOrderKey(): Uint8Array {
  for (let y = 2n; y < 19n; y++) {
    if (pointProblem(toLe32(y)) === undefined) return toLe32(y + P);
  }
  throw new Error('no y below 19 on the curve');
}

/** The sample manifest re-addressed to `publicKey` (torrent.name follows the address). */
async function readdressed(publicKey: Uint8Array, signature?: Uint8Array): Promise<Manifest> {
  const { manifest } = await sampleBundle();
  const address = addressFromPublicKey(publicKey);
  return { ...structuredClone(manifest), address, torrent: { ...manifest.torrent, name: address }, ...(signature ? { signature: toHex(signature) } : {}) };
}

const BAD_KEYS: [string, Uint8Array][] = [
  ...SMALL_ORDER_CANONICAL.map(({ hex, order }): [string, Uint8Array] => [`small order ${order} ${hex.slice(0, 8)}`, fromHex(hex)]),
  ...SMALL_ORDER_NON_CANONICAL.map((hex): [string, Uint8Array] => [`non-canonical small-order ${hex.slice(0, 8)}...${hex.slice(-2)}`, fromHex(hex)]),
  ['non-canonical large-order (y + p)', nonCanonicalLargeOrderKey()],
  ['off the curve (y = 2)', toLe32(2n)],
];

describe('publisher keys', () => {
  it('accepts generated keys and a mixed-order key', async () => {
    const generated = await ed.getPublicKeyAsync(FIXED_SECRET);
    expect(() => assertPublisherKey(generated)).not.toThrow();
    expect(() => assertPublisherKey(fromHex(SPECCHECK[3].publicKey))).not.toThrow();
  });

  for (const [name, key] of BAD_KEYS) {
    it(`refuses a ${name} key with E_BAD_KEY, as a key and as a manifest's address`, async () => {
      expect(await codeOf(() => assertPublisherKey(key))).toBe('E_BAD_KEY');
      const address = addressFromPublicKey(key);
      // The spelling is fine (routing a request needs no more); trusting it is not.
      expect(isAddress(address)).toBe(true);
      expect(publicKeyFromAddress(address)).toEqual(key);
      expect(await codeOf(() => publisherKeyFromAddress(address))).toBe('E_BAD_KEY');
      const manifest = await readdressed(key);
      expect(await codeOf(() => parseManifest(manifest))).toBe('E_BAD_KEY');
      expect(await codeOf(() => verifyManifest(manifest))).toBe('E_BAD_KEY');
    });
  }

  it('says what is wrong and what to do', async () => {
    try {
      publisherKeyFromAddress('a'.repeat(52));
      throw new Error('not refused');
    } catch (err) {
      expect((err as CoreError).code).toBe('E_BAD_KEY');
      expect((err as Error).message).toMatch(/^E_BAD_KEY: the key of address a{52} is one of the eight small-order points.*generated/);
    }
  });

  it('refuses the identity-key manifest whose "signature" (R = identity, S = 0) fits every message', async () => {
    const forged = await readdressed(IDENTITY, signatureOf(IDENTITY, 0n));
    expect(await codeOf(() => verifyManifest(forged))).toBe('E_BAD_KEY');
    expect(await codeOf(() => verifyManifest(JSON.parse(JSON.stringify(forged))))).toBe('E_BAD_KEY');
  });
});
