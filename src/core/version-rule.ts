import { equalBytes } from './bytes.js';
import { AddressError, VersionError } from './errors.js';
import { canonicalManifestBytes, type UnsignedManifest } from './manifest.js';

/** What to do with a verified candidate manifest, given the one held for its address. */
export type VersionDecision =
  | { action: 'accept' }
  /** Same seq and same signed content: nothing to do. */
  | { action: 'same' }
  /** Lower seq than held or seen: a rollback attempt or an old copy. */
  | { action: 'stale'; heldSeq: number }
  /** Same seq, different content: the key signed two versions; report it, accept neither. */
  | { action: 'conflict'; heldSeq: number };

/**
 * The version rule (DESIGN invariant 2): only a strictly higher `seq` replaces what is
 * held. `highestSeenSeq` is the highest seq ever seen for the address, which callers
 * keep even after evicting the manifest, so an eviction cannot open a rollback.
 * Both manifests must already be verified.
 * @throws {AddressError} E_ADDRESS_MISMATCH when they are for different addresses.
 */
export function decideVersion(held: UnsignedManifest | undefined, candidate: UnsignedManifest, highestSeenSeq = -1): VersionDecision {
  if (held && held.address !== candidate.address) {
    throw new AddressError('E_ADDRESS_MISMATCH', `cannot compare manifests of ${held.address} and ${candidate.address}`);
  }
  const floor = Math.max(held?.seq ?? -1, highestSeenSeq);
  if (held && candidate.seq === held.seq) {
    return equalBytes(canonicalManifestBytes(held), canonicalManifestBytes(candidate))
      ? { action: 'same' }
      : { action: 'conflict', heldSeq: held.seq };
  }
  if (candidate.seq <= floor) return { action: 'stale', heldSeq: floor };
  return { action: 'accept' };
}

/**
 * `decideVersion` as an assertion, for write paths that must refuse anything but an upgrade.
 * @throws {VersionError} E_STALE_SEQ (lower or equal seq) or E_SEQ_CONFLICT (equal seq, other content).
 */
export function assertNewerVersion(held: UnsignedManifest | undefined, candidate: UnsignedManifest, highestSeenSeq = -1): void {
  const decision = decideVersion(held, candidate, highestSeenSeq);
  if (decision.action === 'accept') return;
  if (decision.action === 'conflict') {
    throw new VersionError('E_SEQ_CONFLICT', `seq ${candidate.seq} is already published with other content; publish with seq ${decision.heldSeq + 1}`);
  }
  const current = decision.action === 'stale' ? decision.heldSeq : candidate.seq;
  throw new VersionError('E_STALE_SEQ', `seq ${candidate.seq} is not newer than the current seq ${current}; publish with seq ${current + 1}`);
}
