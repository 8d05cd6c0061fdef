import { SiteError } from './errors.js';

/**
 * Whether this browser lets the site's origin keep a site: a service worker, IndexedDB
 * and BroadcastChannel. Firefox refuses all three with a `SecurityError` when cookies and
 * site data are blocked (`network.cookie.cookieBehavior` = 2, or a per-site exception),
 * and has no service workers in private windows; without them the boot page would wait
 * on "Opening site…" forever. Checked before the engine starts, so nothing else throws.
 *
 * @returns the reason as a SiteError (E_NO_SERVICE_WORKER or E_STORAGE_BLOCKED), or null.
 */
export async function storageRefusal(scope: typeof globalThis = globalThis): Promise<SiteError | null> {
  if (!('serviceWorker' in scope.navigator) || !scope.navigator.serviceWorker) {
    return new SiteError('E_NO_SERVICE_WORKER', 'this browser offers no service worker here');
  }
  try {
    // Firefox throws from the constructor itself when site data is blocked.
    new scope.BroadcastChannel('p2p-storage-check').close();
  } catch (err) {
    return new SiteError('E_STORAGE_BLOCKED', `BroadcastChannel refused: ${describe(err)}`, { cause: err });
  }
  try {
    await openProbeDatabase(scope.indexedDB);
  } catch (err) {
    return new SiteError('E_STORAGE_BLOCKED', `IndexedDB refused: ${describe(err)}`, { cause: err });
  }
  return null;
}

/**
 * Maps a failed `serviceWorker.register()` to the error the visitor reads: a SecurityError
 * is the browser's storage setting (Firefox: "Storage access is restricted in this context
 * due to user settings or private browsing mode"), anything else is a broken install.
 */
export function registrationRefusal(err: unknown): SiteError {
  const blocked = err instanceof DOMException && err.name === 'SecurityError';
  return new SiteError(blocked ? 'E_STORAGE_BLOCKED' : 'E_NO_SERVICE_WORKER', `service worker registration failed: ${describe(err)}`, { cause: err });
}

/** Opens and closes a throwaway database; `open` itself throws in Firefox when storage is blocked. */
function openProbeDatabase(factory: IDBFactory | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!factory) return reject(new Error('no indexedDB'));
    const request = factory.open('p2p-storage-check');
    request.onsuccess = () => {
      request.result.close();
      resolve();
    };
    request.onerror = () => reject(request.error ?? new Error('indexedDB open failed'));
    request.onblocked = () => resolve();
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
