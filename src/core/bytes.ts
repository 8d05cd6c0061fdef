import { EncodingError } from './errors.js';

const HEX = '0123456789abcdef';

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return out;
}

/**
 * Parses lowercase hex. Uppercase is refused so that every value has exactly one
 * textual form (signed data must not have two spellings).
 * @throws {EncodingError} E_BAD_ENCODING on odd length, a non-hex character, or a wrong length.
 */
export function fromHex(hex: string, expectedLength?: number, field = 'value'): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) {
    throw new EncodingError('E_BAD_ENCODING', `"${field}" expected lowercase hex, got ${describe(hex)}`);
  }
  if (expectedLength !== undefined && hex.length !== expectedLength * 2) {
    throw new EncodingError(
      'E_BAD_ENCODING',
      `"${field}" expected ${expectedLength} bytes (${expectedLength * 2} hex chars), got ${hex.length} hex chars`,
    );
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Joins a few byte strings. For a list of any length use `joinBytes` (spreading a long list overflows the stack). */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return joinBytes(parts);
}

/** Joins any number of byte strings; takes the list itself, never spread into arguments. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Byte-wise comparison, the order bencode dictionaries and our file lists use. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** A short description of an unexpected value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `Uint8Array of length ${value.length}`;
  if (typeof value === 'string') return value.length > 60 ? `string of length ${value.length}` : JSON.stringify(value);
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (typeof value === 'number') return String(value);
  return typeof value;
}
