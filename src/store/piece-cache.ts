import { createStore, delMany, getMany, keys, set, setMany, type UseStore } from 'idb-keyval';

/**
 * Pieces of files that are not complete yet, so a download cut off half way (a closed
 * tab, a reload) resumes where it stopped. Pieces were checked against the torrent's
 * piece hashes, whose info hash the signed manifest fixes; a file still becomes
 * visible only after its whole sha256 matched. Keys are `[infoHash, pieceIndex]`.
 * Pieces are kept as Blobs: reading them back for a resume then costs a handle each,
 * not a copy of every saved byte into the page at once. Older saves hold Uint8Arrays.
 */
let defaultStore: UseStore | undefined;

export function pieceStore(): UseStore {
  defaultStore ??= createStore('p2p-pieces', 'pieces');
  return defaultStore;
}

export async function savePiece(infoHash: string, index: number, piece: Uint8Array | Blob, store = pieceStore()): Promise<void> {
  await set([infoHash, index], piece instanceof Blob ? piece : new Blob([piece as BlobPart]), store);
}

/**
 * Saves pieces as they arrive with at most one write in flight: pieces that arrive
 * meanwhile go into the next write together. One transaction per piece (hundreds for a
 * large file) costs the page more than the bytes do. `close()` resolves once everything
 * handed in is written, so saved pieces can then be deleted without a late write
 * bringing some back.
 */
export function pieceSaver(infoHash: string, onError: (err: unknown) => void, store = pieceStore()) {
  let queued: [[string, number], Blob][] = [];
  let writing: Promise<void> | undefined;
  const drain = async () => {
    while (queued.length) {
      const batch = queued;
      queued = [];
      await setMany(batch, store).catch(onError);
    }
    writing = undefined;
  };
  return {
    save(index: number, piece: Uint8Array | Blob): void {
      queued.push([[infoHash, index], piece instanceof Blob ? piece : new Blob([piece as BlobPart])]);
      writing ??= drain();
    },
    async close(): Promise<void> {
      await writing;
    },
  };
}

/** Every saved piece of one torrent. */
export async function loadPieces(infoHash: string, store = pieceStore()): Promise<Map<number, Uint8Array | Blob>> {
  const ours = (await keys<[string, number]>(store)).filter((k) => Array.isArray(k) && k[0] === infoHash);
  const values = await getMany<Uint8Array | Blob>(ours, store);
  const out = new Map<number, Uint8Array | Blob>();
  ours.forEach((k, i) => values[i] && out.set(k[1], values[i]!));
  return out;
}

export async function deletePieces(infoHash: string, store = pieceStore()): Promise<void> {
  const ours = (await keys<[string, number]>(store)).filter((k) => Array.isArray(k) && k[0] === infoHash);
  if (ours.length) await delMany(ours, store);
}
