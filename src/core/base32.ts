import { AddressError } from './errors.js';

// RFC 4648 section 6 alphabet, lowercased: DNS labels are case-insensitive and
// browsers lowercase host names, so lowercase is the only spelling we accept.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const LOOKUP = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));

/** RFC 4648 base32, lowercase, without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes lowercase unpadded base32. Rejects uppercase, padding, characters outside
 * the alphabet, impossible lengths and non-zero trailing bits, so each byte string
 * has exactly one accepted spelling.
 * @throws {AddressError} E_BAD_ADDRESS
 */
export function base32Decode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new AddressError('E_BAD_ADDRESS', `expected a base32 string, got ${typeof text}`);
  const rem = text.length % 8;
  if (rem === 1 || rem === 3 || rem === 6) {
    throw new AddressError('E_BAD_ADDRESS', `base32 text of length ${text.length} cannot encode whole bytes`);
  }
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let i = 0; i < text.length; i++) {
    const value = LOOKUP.get(text[i]);
    if (value === undefined) {
      const hint = /[A-Z]/.test(text[i]) ? ' (addresses are lowercase)' : '';
      throw new AddressError('E_BAD_ADDRESS', `character ${JSON.stringify(text[i])} at position ${i} is not base32${hint}`);
    }
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (buffer >>> (bits - 8)) & 255;
      bits -= 8;
      buffer &= (1 << bits) - 1;
    }
  }
  // RFC 4648 section 3.5: the bits left over after the last whole byte (4 of them for a
  // 32-byte key in 52 characters) must be zero, or one key would have several spellings.
  if (buffer !== 0) {
    throw new AddressError(
      'E_BAD_ADDRESS',
      `the last character ${JSON.stringify(text[text.length - 1])} sets some of its ${bits} unused low bits, which must be zero (every key has exactly one spelling); check the end of the address`,
    );
  }
  return out;
}
