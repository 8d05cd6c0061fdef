import * as ed from '@noble/ed25519';
import { base32Decode, base32Encode } from './base32.js';
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
 * Decodes an address back to its public key.
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

/** True when `text` is a well-formed address; never throws. */
export function isAddress(text: unknown): text is Address {
  try {
    publicKeyFromAddress(text as string);
    return true;
  } catch {
    return false;
  }
}
