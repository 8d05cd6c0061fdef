import { createStore, getMany, promisifyRequest, set, setMany, type UseStore } from 'idb-keyval';

/**
 * Pieces of files that are not complete yet, so a download cut off half way (a closed
 * tab, a reload) resumes where it stopped. Pieces were checked against the torrent's
 * piece hashes, whose info hash the signed manifest fixes; a file still becomes
 * visible only after its whole sha256 matched. Keys are `[infoHash, pieceIndex]`.
 * Pieces are read back a few at a time, so a large resume never deserialises every
 * saved byte in one task. Earlier versions saved Blobs; both are accepted.
 */
let defaultStore: UseStore | undefined;

export function pieceStore(): UseStore {
  defaultStore ??= createStore('p2p-pieces', 'pieces');
  return defaultStore;
}

/** Pieces read back per IndexedDB request when resuming. */
const LOAD_BATCH = 16;

/** A structured clone copies a view's whole buffer; keep only the piece's own bytes. */
function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

export async function savePiece(infoHash: string, index: number, piece: Uint8Array, store = pieceStore()): Promise<void> {
  await set([infoHash, index], ownBytes(piece), store);
}

/**
 * Saves pieces as they arrive with at most one write in flight: pieces that arrive
 * meanwhile go into the next write together. One transaction per piece (hundreds for a
 * large file) costs the page more than the bytes do. `close()` resolves once everything
 * handed in is written, so saved pieces can then be deleted without a late write
 * bringing some back.
 */
export function pieceSaver(infoHash: string, onError: (err: unknown) => void, store = pieceStore()) {
  let queued: [[string, number], Uint8Array][] = [];
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
    save(index: number, piece: Uint8Array): void {
      queued.push([[infoHash, index], ownBytes(piece)]);
      writing ??= drain();
    },
    async close(): Promise<void> {
      await writing;
    },
  };
}

/**
 * Every key `[infoHash, n]`: array keys compare element by element and any array sorts
 * after any number (IndexedDB 3.0, "compare two keys"), so `[infoHash]` to
 * `[infoHash, []]` spans exactly this torrent's pieces.
 */
function torrentRange(infoHash: string): IDBKeyRange {
  return IDBKeyRange.bound([infoHash], [infoHash, []]);
}

/** Every saved piece of one torrent. */
export async function loadPieces(infoHash: string, store = pieceStore()): Promise<Map<number, Uint8Array | Blob>> {
  const ours = (await store('readonly', (s) => promisifyRequest(s.getAllKeys(torrentRange(infoHash))))) as [string, number][];
  const out = new Map<number, Uint8Array | Blob>();
  for (let i = 0; i < ours.length; i += LOAD_BATCH) {
    const batch = ours.slice(i, i + LOAD_BATCH);
    const values = await getMany<Uint8Array | Blob>(batch, store);
    batch.forEach((k, j) => values[j] && out.set(k[1], values[j]!));
  }
  return out;
}

/** Deletes a torrent's saved pieces with one request, not one per piece. */
export async function deletePieces(infoHash: string, store = pieceStore()): Promise<void> {
  await store('readwrite', (s) => promisifyRequest(s.delete(torrentRange(infoHash))));
}
