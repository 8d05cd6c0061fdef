import type { UseStore } from 'idb-keyval';
import { deletePieces, pieceSaver } from '../store/piece-cache.js';
import type { TransferHooks } from '../swarm/site-swarm.js';

/**
 * The transfer hooks that save pieces of incomplete files as they arrive, so an
 * interrupted visit resumes, and clear them once every file is stored.
 */
export function resumeHooks(infoHash: string, resumePieces: ReadonlyMap<number, Uint8Array | Blob>, warn: (message: string) => void, store: UseStore): Pick<TransferHooks, 'resumePieces' | 'savePiece' | 'finished'> {
  const saver = pieceSaver(infoHash, (err) => warn(`could not save a piece for resuming: ${String(err)}`), store);
  return {
    resumePieces,
    savePiece: (index, bytes) => saver.save(index, bytes),
    finished: () => {
      saver
        .close()
        .then(() => deletePieces(infoHash, store))
        .catch((err: unknown) => warn(`could not clear saved pieces: ${String(err)}`));
    },
  };
}
