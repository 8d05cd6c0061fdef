/**
 * Typed errors of the core. Every failure carries a stable `code` that callers
 * branch on (never the message), and a message that says which field, what was
 * expected, what arrived and what to do.
 */

import { CodedError } from './coded-error.js';

export type CoreErrorCode =
  | 'E_BAD_ADDRESS'
  | 'E_BAD_KEY'
  | 'E_BAD_ENCODING'
  | 'E_BAD_MANIFEST'
  | 'E_BAD_PATH'
  | 'E_RESERVED_PATH'
  | 'E_DUPLICATE_PATH'
  | 'E_NO_ENTRY'
  | 'E_TOO_LARGE'
  | 'E_BAD_SIGNATURE'
  | 'E_HASH_MISMATCH'
  | 'E_STALE_SEQ'
  | 'E_SEQ_CONFLICT'
  | 'E_ADDRESS_MISMATCH'
  | 'E_BAD_POINTER';

/** Base class: `err instanceof CoreError` and `err.code` are the whole contract. */
export class CoreError extends CodedError<CoreErrorCode> {}

/** An address or public key that is not 52 lowercase base32 characters of a 32-byte key. */
export class AddressError extends CoreError {}
/** Bytes that are not valid bencode, hex, base32 or JSON where one was expected. */
export class EncodingError extends CoreError {}
/** A manifest whose shape or values break the schema in docs/PROTOCOL.md. */
export class ManifestError extends CoreError {}
/** A file path that is not a safe, normalised, relative path. */
export class PathError extends CoreError {}
/** Something over a size or count limit. */
export class LimitError extends CoreError {}
/** A signature that does not verify for the claimed address. */
export class SignatureError extends CoreError {}
/** Bytes whose hash differs from what the signed manifest promises. */
export class HashError extends CoreError {}
/** A manifest that may not replace the one held (rollback or fork). */
export class VersionError extends CoreError {}

/** Narrowing helper for callers that map codes to user-facing text. */
export function isCoreError(err: unknown): err is CoreError {
  return err instanceof CoreError;
}
