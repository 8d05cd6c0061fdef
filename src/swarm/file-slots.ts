import { Sha256, type ManifestFile } from '../core/index.js';

/** One file of a site as a chunk store holds it: where it lies in the torrent, and its bytes so far. */
export interface FileSlot {
  file: ManifestFile;
  /** Where the file starts in the torrent's bytes (all files end to end, in manifest order). */
  offset: number;
  startPiece: number;
  endPiece: number;
  /** The stored, verified file; set once it is complete. */
  blob?: Blob;
  /** Shares received and not hashed yet, by piece index. */
  pending: Map<number, Uint8Array | Blob>;
  /** Bytes of `pending` held in memory. */
  pendingBytes: number;
  /** The file's first `hashedPartsBytes` bytes, hashed, as Blobs of about 1 MiB (see site-chunk-store.ts). */
  hashedParts: Blob[];
  hashedPartsBytes: number;
  /** Hashed shares that follow `hashedParts`, not joined into a Blob yet. */
  group: Uint8Array[];
  groupBytes: number;
  hasher: Sha256;
  /** The next piece whose share goes into the hasher. */
  nextPiece: number;
  /** True while a hashing loop runs for this file (at most one does). */
  hashing: boolean;
  /** Bumped when the file's pieces are thrown away, so a loop from before stops. */
  epoch: number;
}

/** A slot with nothing received yet; `epoch` carries on when a rejected file starts over. */
export function emptySlot(slot: Pick<FileSlot, 'file' | 'offset' | 'startPiece' | 'endPiece' | 'blob'>, epoch = 0): FileSlot {
  return { ...slot, pending: new Map(), pendingBytes: 0, hashedParts: [], hashedPartsBytes: 0, group: [], groupBytes: 0, hasher: new Sha256(), nextPiece: slot.startPiece, hashing: false, epoch };
}

/**
 * The non-empty files overlapping bytes `start`..`end`, found by binary search (a site may
 * have 10,000 files). `slots` are in torrent order, as a chunk store lays them out.
 */
export function slotsIn(slots: readonly FileSlot[], start: number, end: number): FileSlot[] {
  let lo = 0;
  let hi = slots.length;
  // The first slot that ends after `start`.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = slots[mid];
    if (s.offset + s.file.size <= start) lo = mid + 1;
    else hi = mid;
  }
  const out: FileSlot[] = [];
  for (let i = lo; i < slots.length && slots[i].offset < end; i++) {
    const s = slots[i];
    if (s.file.size > 0 && s.offset + s.file.size > start) out.push(s);
  }
  return out;
}
