export interface ReadAheadOptions {
  /** The torrent's length in bytes: the last window ends there. */
  length: number;
  /** True when bytes `start`..`end` all belong to stored files (only those are read ahead). */
  storedOnly(start: number, end: number): boolean;
  /** Reads bytes `start`..`end` of stored files. */
  read(start: number, end: number): Promise<Uint8Array>;
  /** Bytes read at once. Default 1 MiB. */
  windowBytes?: number;
  /** Windows kept, the least recently used dropped first. Default 4. */
  windows?: number;
}

export interface ReadAhead {
  /** Bytes `start`..`end`, from a window read at once when they fit in one of stored bytes. */
  read(start: number, end: number): Promise<Uint8Array>;
  /** Drops every window (the store closed). */
  clear(): void;
}

/**
 * Bytes of stored files for a peer, read from IndexedDB a window at a time: peers ask for
 * 16 KiB blocks in order, and one Blob read per block would make the Blob reads, not the
 * connection, set the pace. A few windows are kept (`windows` × `windowBytes` bytes).
 */
export function readAhead(options: ReadAheadOptions): ReadAhead {
  const { length, storedOnly, read, windowBytes = 1024 * 1024, windows: keep = 4 } = options;
  const windows = new Map<number, Promise<Uint8Array>>();
  return {
    read(start, end) {
      const w = Math.floor(start / windowBytes);
      const wStart = w * windowBytes;
      const wEnd = Math.min(length, wStart + windowBytes);
      if (end > wEnd || !storedOnly(wStart, wEnd)) return read(start, end);
      let bytes = windows.get(w);
      if (bytes) {
        windows.delete(w); // Most recently used last.
      } else {
        bytes = read(wStart, wEnd);
        bytes.catch(() => windows.delete(w));
      }
      windows.set(w, bytes);
      while (windows.size > keep) windows.delete(windows.keys().next().value!);
      return bytes.then((all) => all.subarray(start - wStart, end - wStart));
    },
    clear: () => windows.clear(),
  };
}
