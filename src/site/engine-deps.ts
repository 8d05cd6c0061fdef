import type { UseStore } from 'idb-keyval';
import { cacheStores, type CacheStores } from '../store/site-cache.js';
import { pieceStore } from '../store/piece-cache.js';
import { FILES_CHANNEL } from '../sw/messages.js';

/**
 * What a site engine reads and writes outside itself: its stores, the network and the
 * clock. A site page uses its origin's own (`pageDeps`); a test in Node passes stores of
 * its own per engine, so two engines in one process never share a cache.
 */
export interface EngineDeps {
  /** The site cache: site records and verified files (src/store/site-cache.ts). */
  stores: CacheStores;
  /** Pieces of files still arriving, kept so an interrupted visit resumes (src/store/piece-cache.ts). */
  pieces: UseStore;
  /** Every request the engine makes itself: the server's API and the origin seed. */
  fetch: typeof fetch;
  /** Milliseconds since the epoch, for the visit's timestamps. */
  now: () => number;
  /** Where stored files and the operator's refusal are told to this origin's service worker. */
  filesChannel: Pick<BroadcastChannel, 'postMessage' | 'close'>;
}

/** A site page's own: its origin's IndexedDB stores, `fetch`, `Date.now` and the service worker's channel. */
export function pageDeps(given: Partial<EngineDeps> = {}): EngineDeps {
  return {
    stores: given.stores ?? cacheStores(),
    pieces: given.pieces ?? pieceStore(),
    fetch: given.fetch ?? ((...args) => fetch(...args)),
    now: given.now ?? (() => Date.now()),
    filesChannel: given.filesChannel ?? new BroadcastChannel(FILES_CHANNEL),
  };
}
