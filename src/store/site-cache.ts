import { createStore, get, getMany, set, setMany, update, del, type UseStore } from 'idb-keyval';
import { canonicalManifestBytes, decideVersion, sha256, toHex, type Manifest, type VersionDecision } from '../core/index.js';

/**
 * The cache of sites on this origin, in IndexedDB. File bytes are stored once per
 * sha256, so versions share unchanged files; a file is written only after its hash was
 * checked against a verified manifest, so nothing half-written or unverified is ever
 * visible. Functions take the stores last, as idb-keyval does, so tests can swap them.
 */
export interface SiteRecord {
  address: string;
  /** The version pages are served from. */
  current?: Manifest;
  /** A newer verified version, being fetched or ready to switch to. */
  pending?: Manifest;
  /** Highest verified seq ever seen for the address, kept after eviction (rollback guard). */
  highestSeq: number;
  /** sha256 (hex) of the signed content of the manifest with `highestSeq`. */
  highestDigest?: string;
  lastVisit: number;
  pinned: boolean;
  bytesFromPeers: number;
  bytesFromOrigin: number;
  bytesUploaded: number;
  /** Set when the server says its operator refuses this site; the service worker then serves nothing. */
  denied?: boolean;
}

export interface CacheStores {
  sites: UseStore;
  blobs: UseStore;
}

let defaultStores: CacheStores | undefined;

/** The stores on this origin; created on first use so importing this module has no effect. */
export function cacheStores(): CacheStores {
  defaultStores ??= { sites: createStore('p2p-sites', 'sites'), blobs: createStore('p2p-blobs', 'blobs') };
  return defaultStores;
}

export function emptyRecord(address: string): SiteRecord {
  return { address, highestSeq: -1, lastVisit: 0, pinned: false, bytesFromPeers: 0, bytesFromOrigin: 0, bytesUploaded: 0 };
}

export async function getSite(address: string, stores = cacheStores()): Promise<SiteRecord | undefined> {
  return get<SiteRecord>(address, stores.sites);
}

/**
 * Offers a verified manifest to the cache. Applies the version rule against both the
 * served and the pending version and the highest seq seen, in one transaction, so two
 * tabs offering manifests at once cannot roll the site back.
 * `asCurrent` makes an accepted manifest the served one at once (first visit, or
 * nothing is served yet); otherwise it becomes `pending`.
 */
export async function offerManifest(manifest: Manifest, asCurrent: boolean, stores = cacheStores()): Promise<VersionDecision> {
  let decision: VersionDecision = { action: 'same' };
  const digest = toHex(await sha256(canonicalManifestBytes(manifest)));
  await update<SiteRecord>(
    manifest.address,
    (old) => {
      const record = old ?? emptyRecord(manifest.address);
      const newest = newestOf(record);
      decision = decideVersion(newest, manifest, record.highestSeq);
      // Removed or evicted: the very version seen last may be fetched again (never a
      // lower one, nor other content signed with the same seq).
      const refetch = !newest && manifest.seq === record.highestSeq && (record.highestDigest === undefined || record.highestDigest === digest);
      if (refetch) decision = { action: 'accept' };
      if (decision.action !== 'accept') return record;
      if (manifest.seq >= record.highestSeq) record.highestDigest = digest;
      record.highestSeq = Math.max(record.highestSeq, manifest.seq);
      if (asCurrent || !record.current) {
        record.current = manifest;
        record.pending = undefined;
      } else {
        record.pending = manifest;
      }
      return record;
    },
    stores.sites,
  );
  return decision;
}

/** The newest version the cache knows of: pending if there is one, else current. */
export function newestOf(record: SiteRecord): Manifest | undefined {
  return record.pending ?? record.current;
}

/** Makes the pending version the served one (after all its files are stored). */
export async function promotePending(address: string, stores = cacheStores()): Promise<Manifest | undefined> {
  let promoted: Manifest | undefined;
  await update<SiteRecord>(
    address,
    (old) => {
      const record = old ?? emptyRecord(address);
      if (record.pending && (!record.current || record.pending.seq > record.current.seq)) {
        record.current = record.pending;
        promoted = record.pending;
      }
      record.pending = undefined;
      return record;
    },
    stores.sites,
  );
  return promoted;
}

export async function updateSite(address: string, change: (record: SiteRecord) => void, stores = cacheStores()): Promise<void> {
  await update<SiteRecord>(
    address,
    (old) => {
      const record = old ?? emptyRecord(address);
      change(record);
      return record;
    },
    stores.sites,
  );
}

/**
 * Stores a file under its sha256. The caller must have checked the hash. Give a Blob for
 * large files: IndexedDB keeps a Blob by reference and copies it off the main thread,
 * whereas bytes are copied into a new Blob here first.
 */
export async function putVerifiedBlob(sha256: string, data: Uint8Array | Blob, stores = cacheStores()): Promise<void> {
  await set(sha256, data instanceof Blob ? data : new Blob([data as BlobPart]), stores.blobs);
}

/** Stores many checked files in one transaction (see `putVerifiedBlob`): many small files cost one commit, not one each. */
export async function putVerifiedBlobs(files: readonly { sha256: string; blob: Blob }[], stores = cacheStores()): Promise<void> {
  if (files.length) await setMany(files.map((f) => [f.sha256, f.blob]), stores.blobs);
}

export async function getBlob(sha256: string, stores = cacheStores()): Promise<Blob | undefined> {
  return get<Blob>(sha256, stores.blobs);
}

/** The manifest's files that are stored, as Blobs by sha256 (Blobs are read lazily). */
export async function storedBlobs(manifest: Manifest, stores = cacheStores()): Promise<Map<string, Blob>> {
  const hashes = [...new Set(manifest.files.map((f) => f.sha256))];
  const found = await getMany<Blob>(hashes, stores.blobs);
  const map = new Map<string, Blob>();
  hashes.forEach((hash, i) => found[i] && map.set(hash, found[i]!));
  return map;
}

export async function deleteBlob(sha256: string, stores = cacheStores()): Promise<void> {
  await del(sha256, stores.blobs);
}
