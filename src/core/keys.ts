import * as ed from '@noble/ed25519';
import { base32Decode, base32Encode } from './base32.js';
import { pointProblem, type PointProblem } from './ed25519.js';
import { AddressError } from './errors.js';

/** A publisher's key pair. `secretKey` is the 32-byte RFC 8032 seed. */
export interface KeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** An address: the 32-byte public key as 52 lowercase unpadded base32 characters. */
export type Address = string;

export const ADDRESS_LENGTH = 52;

/** Creates a fresh key pair from the platform's CSPRNG. */
export async function generateKeyPair(): Promise<KeyPair> {
  const { secretKey, publicKey } = await ed.keygenAsync();
  return { secretKey, publicKey };
}

/**
 * Derives the public key from a 32-byte seed.
 * @throws {AddressError} E_BAD_KEY when the seed is not 32 bytes.
 */
export async function keyPairFromSecret(secretKey: Uint8Array): Promise<KeyPair> {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new AddressError('E_BAD_KEY', `secret key expected 32 bytes, got ${secretKey instanceof Uint8Array ? secretKey.length : typeof secretKey}`);
  }
  return { secretKey, publicKey: await ed.getPublicKeyAsync(secretKey) };
}

/** @throws {AddressError} E_BAD_ADDRESS when the key is not 32 bytes. */
export function addressFromPublicKey(publicKey: Uint8Array): Address {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new AddressError('E_BAD_ADDRESS', `public key expected 32 bytes, got ${publicKey instanceof Uint8Array ? publicKey.length : typeof publicKey}`);
  }
  return base32Encode(publicKey);
}

/**
 * Decodes an address back to its public key, checking the spelling only (52 lowercase
 * base32 characters, zero unused bits), not that the key is a usable point.
 * @throws {AddressError} E_BAD_ADDRESS on wrong type, length, alphabet or case; the message says which.
 */
export function publicKeyFromAddress(address: string): Uint8Array {
  if (typeof address !== 'string') throw new AddressError('E_BAD_ADDRESS', `address expected a string, got ${typeof address}`);
  if (address.length !== ADDRESS_LENGTH) {
    throw new AddressError(
      'E_BAD_ADDRESS',
      `address expected ${ADDRESS_LENGTH} characters, got ${address.length}; copy the whole address`,
    );
  }
  if (address !== address.toLowerCase()) {
    throw new AddressError('E_BAD_ADDRESS', 'address must be lowercase; type it in lowercase letters');
  }
  return base32Decode(address);
}

const KEY_PROBLEM: Record<PointProblem, string> = {
  length: 'is not 32 bytes',
  'non-canonical': 'is a non-canonical point encoding (y not below 2^255 - 19, or a negative zero x); every key has exactly one encoding',
  'not-on-curve': 'is not a point on the Ed25519 curve, so no signature can verify under it',
  'small-order': 'is one of the eight small-order points, for which one signature would verify every message',
};

/**
 * Checks that 32 bytes can be a publisher's key under the one verification rule
 * (see ed25519.ts): a canonical encoding of a curve point that is not of small order.
 * Keys made by `generateKeyPair` always pass.
 * @throws {AddressError} E_BAD_KEY naming what is wrong.
 */
export function assertPublisherKey(publicKey: Uint8Array, label = 'public key'): void {
  const problem = pointProblem(publicKey);
  if (problem !== undefined) {
    throw new AddressError('E_BAD_KEY', `${label} ${KEY_PROBLEM[problem]}; it cannot be a publisher's key, so nothing signed for it is accepted (publish with a key this app or the CLI generated)`);
  }
}

/**
 * Decodes an address to its public key and checks that the key is usable
 * (`assertPublisherKey`). `publicKeyFromAddress` checks the spelling only, which is
 * enough to route a request; anything that trusts a signature uses this.
 * @throws {AddressError} E_BAD_ADDRESS for a malformed address, E_BAD_KEY for an unusable key.
 */
export function publisherKeyFromAddress(address: string): Uint8Array {
  const publicKey = publicKeyFromAddress(address);
  assertPublisherKey(publicKey, `the key of address ${address}`);
  return publicKey;
}

/** True when `text` is a well-formed address (spelling only; see `publisherKeyFromAddress`); never throws. */
export function isAddress(text: unknown): text is Address {
  try {
    publicKeyFromAddress(text as string);
    return true;
  } catch {
    return false;
  }
}
