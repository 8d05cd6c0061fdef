/**
 * Typed errors of the key file format, shared by the app and the `p2psite` CLI. Callers
 * branch on `code` (the app maps it to text in src/ui/messages.ts); the message is for
 * logs and the terminal and says what to do.
 */

import { CodedError } from '../core/index.js';

export type KeyFileErrorCode =
  /** Not JSON, not a p2psite key, or a format version this build does not read. */
  | 'E_NOT_KEY_FILE'
  /** The secret is encrypted and no passphrase was given. */
  | 'E_NEEDS_PASSPHRASE'
  /** AES-GCM refused the passphrase: wrong, or the encrypted part or address was altered. */
  | 'E_WRONG_PASSPHRASE'
  /** A p2psite key file with a missing, malformed or out-of-range field. */
  | 'E_DAMAGED_KEY_FILE'
  /** The secret key opens, but its public key is not the address the file names. */
  | 'E_KEY_MISMATCH';

/** `detail` is the message without its code, so a caller can prefix the file name and keep the code first. */
export class KeyFileError extends CodedError<KeyFileErrorCode> {}

export function isKeyFileError(err: unknown): err is KeyFileError {
  return err instanceof KeyFileError;
}
