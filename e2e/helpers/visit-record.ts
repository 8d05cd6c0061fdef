import type { Frame, Page } from '@playwright/test';

/**
 * The app's record of a site's visits (src/bridge/visits-store.ts), read on a page or frame of
 * the app's origin; undefined until one is kept.
 */
export async function visitRecord(where: Page | Frame, address: string): Promise<{ seq?: number; size?: number } | undefined> {
  return where.evaluate(async (addr) => {
    // Opened only once it exists: opening it first would make it without its object store.
    if (!(await indexedDB.databases()).some((d) => d.name === 'p2p-visits')) return undefined;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('p2p-visits');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      if (!db.objectStoreNames.contains('visits')) return undefined;
      return await new Promise<{ seq?: number; size?: number } | undefined>((resolve, reject) => {
        const req = db.transaction('visits').objectStore('visits').get(addr);
        req.onsuccess = () => resolve(req.result as { seq?: number; size?: number } | undefined);
        req.onerror = () => reject(req.error);
      });
    } finally {
      db.close();
    }
  }, address);
}
