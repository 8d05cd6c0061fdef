/**
 * The passphrase protection of a key file: PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2) stretches
 * the passphrase into an AES-256-GCM key (NIST SP 800-38D) that seals the 32-byte secret.
 * The address is the GCM additional data, so a file whose address was swapped fails to
 * open instead of opening under the wrong name. WebCrypto only: the same code runs in the
 * browser and in Node 20+.
 */
import { randomBytes, utf8 } from '../core/index.js';

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA-256. */
export const DEFAULT_ITERATIONS = 600_000;
/** Below this a stolen file is cheap to brute-force; above the maximum, opening it would hang the tab. */
export const MIN_ITERATIONS = 100_000;
export const MAX_ITERATIONS = 10_000_000;
export const SALT_BYTES = 16;
export const IV_BYTES = 12;
/** GCM appends a 16-byte tag to the ciphertext. */
export const TAG_BYTES = 16;

export interface SealedSecret {
  iterations: number;
  salt: Uint8Array;
  iv: Uint8Array;
  /** Ciphertext followed by the GCM tag. */
  data: Uint8Array;
}

async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const subtle = globalThis.crypto.subtle;
  const base = await subtle.importKey('raw', utf8(passphrase) as BufferSource, 'PBKDF2', false, ['deriveKey']);
  return subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/**
 * Encrypts `secret` under `passphrase` with a fresh random salt and IV.
 * @throws {RangeError} when `iterations` is outside MIN_ITERATIONS..MAX_ITERATIONS.
 */
export async function sealSecret(secret: Uint8Array, passphrase: string, additionalData: string, iterations = DEFAULT_ITERATIONS): Promise<SealedSecret> {
  if (!Number.isSafeInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new RangeError(`"iterations" expected an integer from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}, got ${iterations}`);
  }
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const aes = await deriveKey(passphrase, salt, iterations);
  const params = { name: 'AES-GCM', iv: iv as BufferSource, additionalData: utf8(additionalData) as BufferSource };
  const data = new Uint8Array(await globalThis.crypto.subtle.encrypt(params, aes, secret as BufferSource));
  return { iterations, salt, iv, data };
}

/**
 * Decrypts a sealed secret. Answers undefined, rather than throwing, when GCM's tag does
 * not verify: a wrong passphrase and altered bytes look the same, by design of AEAD.
 */
export async function openSecret(sealed: SealedSecret, passphrase: string, additionalData: string): Promise<Uint8Array | undefined> {
  const aes = await deriveKey(passphrase, sealed.salt, sealed.iterations);
  const params = { name: 'AES-GCM', iv: sealed.iv as BufferSource, additionalData: utf8(additionalData) as BufferSource };
  try {
    return new Uint8Array(await globalThis.crypto.subtle.decrypt(params, aes, sealed.data as BufferSource));
  } catch (err) {
    // WebCrypto reports a failed tag check as an OperationError; anything else is a real fault.
    if ((err as { name?: string })?.name === 'OperationError') return undefined;
    throw err;
  }
}
