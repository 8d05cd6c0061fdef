import type { SiteChunkStore } from './site-chunk-store.js';

type Callback<T = void> = (err: Error | null, value?: T) => void;

/** The abstract-chunk-store interface WebTorrent uses, over someone else's store. */
export interface ChunkStoreLease {
  readonly chunkLength: number;
  readonly length: number;
  put(index: number, buf: Uint8Array, cb?: Callback): void;
  get(index: number, opts: { offset?: number; length?: number } | Callback<Uint8Array> | null, cb?: Callback<Uint8Array>): void;
  close(cb?: Callback): void;
  destroy(cb?: Callback): void;
}

/**
 * WebTorrent closes a torrent's store when the torrent goes. A transfer that moves to a
 * new torrent (peers joined or left) hands each torrent a lease on its one store: closing
 * the lease cuts that torrent off and leaves the store, with the pieces and hashing
 * already done, to the transfer.
 */
export function storeLease(store: SiteChunkStore): ChunkStoreLease {
  let closed = false;
  const refuse = (cb?: Callback<never>) => queueMicrotask(() => cb?.(new Error('store is closed')));
  const close = (cb?: Callback) => {
    closed = true;
    queueMicrotask(() => cb?.(null));
  };
  return {
    chunkLength: store.chunkLength,
    length: store.length,
    put: (index, buf, cb) => (closed ? refuse(cb) : store.put(index, buf, cb)),
    get: (index, opts, cb) => {
      if (typeof opts === 'function') [cb, opts] = [opts, null];
      if (closed) return refuse(cb);
      store.get(index, opts, cb);
    },
    close,
    destroy: close,
  };
}
