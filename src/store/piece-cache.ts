import { createStore, delMany, getMany, keys, set, type UseStore } from 'idb-keyval';

/**
 * Pieces of files that are not complete yet, so a download cut off half way (a closed
 * tab, a reload) resumes where it stopped. Pieces were checked against the torrent's
 * piece hashes, whose info hash the signed manifest fixes; a file still becomes
 * visible only after its whole sha256 matched. Keys are `[infoHash, pieceIndex]`.
 */
let defaultStore: UseStore | undefined;

export function pieceStore(): UseStore {
  defaultStore ??= createStore('p2p-pieces', 'pieces');
  return defaultStore;
}

export async function savePiece(infoHash: string, index: number, bytes: Uint8Array, store = pieceStore()): Promise<void> {
  await set([infoHash, index], bytes.slice(), store);
}

/** Every saved piece of one torrent. */
export async function loadPieces(infoHash: string, store = pieceStore()): Promise<Map<number, Uint8Array>> {
  const ours = (await keys<[string, number]>(store)).filter((k) => Array.isArray(k) && k[0] === infoHash);
  const values = await getMany<Uint8Array>(ours, store);
  const out = new Map<number, Uint8Array>();
  ours.forEach((k, i) => values[i] && out.set(k[1], values[i]!));
  return out;
}

export async function deletePieces(infoHash: string, store = pieceStore()): Promise<void> {
  const ours = (await keys<[string, number]>(store)).filter((k) => Array.isArray(k) && k[0] === infoHash);
  if (ours.length) await delMany(ours, store);
}
