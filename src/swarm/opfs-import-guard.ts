/**
 * webtorrent 2.8.5's browser bundle, while its module is evaluated, clears a leftover
 * Origin Private File System folder: `navigator.storage.getDirectory().then(d =>
 * d.removeEntry('chunks', ...))`, with no handler for a rejected `getDirectory()`. Firefox
 * rejects it with "SecurityError … GetDirectory" in private windows and when site data is
 * blocked, which then shows as an uncaught rejection on every page that loads the engine.
 * This project keeps pieces in IndexedDB (site-chunk-store.ts) and never uses that folder,
 * so for the one call made while webtorrent loads a refusal is noted and the promise
 * handed back never settles: webtorrent's `.then()` chain then neither runs nor rejects
 * (a handler on the browser's promise alone would still leave the chained one unhandled).
 * Imported just before webtorrent (ES modules evaluate in import order); the wrapper
 * removes itself on its first call, so later callers see the browser's own function.
 */
const storage: StorageManager | undefined = globalThis.navigator?.storage;
if (storage && typeof storage.getDirectory === 'function' && !Object.prototype.hasOwnProperty.call(storage, 'getDirectory')) {
  const original = storage.getDirectory;
  Object.defineProperty(storage, 'getDirectory', {
    configurable: true,
    value(this: StorageManager): Promise<FileSystemDirectoryHandle> {
      delete (storage as { getDirectory?: unknown }).getDirectory;
      return original.call(this).catch((err: unknown) => {
        console.info('[p2p] no Origin Private File System here (not used):', err instanceof Error ? err.name : err);
        return new Promise<FileSystemDirectoryHandle>(() => {});
      });
    },
  });
}

export {};
