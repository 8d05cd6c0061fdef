import { toHex } from './bytes.js';
import { HashError } from './errors.js';
import { sha256 } from './hash.js';
import type { ManifestFile } from './manifest.js';

/**
 * Checks downloaded bytes against the manifest entry before they are stored or shown
 * (DESIGN invariant 1).
 * @throws {HashError} E_HASH_MISMATCH
 */
export async function assertFileBytes(file: ManifestFile, bytes: Uint8Array): Promise<void> {
  assertFileDigest(file, bytes.length, await sha256(bytes));
}

/**
 * The same check for a file hashed piece by piece (`Sha256`): its length and the
 * sha256 of every byte, against the manifest entry.
 * @throws {HashError} E_HASH_MISMATCH
 */
export function assertFileDigest(file: ManifestFile, length: number, digest: Uint8Array): void {
  if (length !== file.size) {
    throw new HashError('E_HASH_MISMATCH', `"${file.path}" is ${length} bytes, the signed manifest says ${file.size}; discarded`);
  }
  if (toHex(digest) !== file.sha256) throw new HashError('E_HASH_MISMATCH', `"${file.path}" does not match its signed hash; discarded`);
}
