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
  if (bytes.length !== file.size) {
    throw new HashError('E_HASH_MISMATCH', `"${file.path}" is ${bytes.length} bytes, the signed manifest says ${file.size}; discarded`);
  }
  const actual = toHex(await sha256(bytes));
  if (actual !== file.sha256) throw new HashError('E_HASH_MISMATCH', `"${file.path}" does not match its signed hash; discarded`);
}
