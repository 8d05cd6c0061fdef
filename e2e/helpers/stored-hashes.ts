import type { Page } from '@playwright/test';
import type { Manifest } from '../../src/core/index.js';

/**
 * Every file of the version as this visitor stored it (the IndexedDB the service worker
 * serves from; HTML is served with the runtime added, so it is hashed as stored), by
 * path, with its sha256 computed here.
 */
export async function storedHashes(page: Page, manifest: Manifest): Promise<Record<string, string>> {
  return page.evaluate(async (files) => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const open = indexedDB.open('p2p-blobs');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
    const out: Record<string, string> = {};
    for (const f of files) {
      const blob = await new Promise<Blob | undefined>((ok, fail) => {
        const get = db.transaction('blobs').objectStore('blobs').get(f.sha256);
        get.onsuccess = () => ok(get.result as Blob | undefined);
        get.onerror = () => fail(get.error);
      });
      out[f.path] = blob ? hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())) : 'missing';
    }
    db.close();
    return out;
  }, manifest.files.map((f) => ({ path: f.path, sha256: f.sha256 })));
}

/** The sha256 the manifest signs for each path. */
export function signedHashes(m: Manifest): Record<string, string> {
  return Object.fromEntries(m.files.map((f) => [f.path, f.sha256]));
}

/** The visitor's saved byte counters for a site (saved when a transfer completes; they outlive the boot page's reload). */
export async function siteUsage(page: Page, address: string): Promise<{ bytesFromPeers: number; bytesFromOrigin: number; bytesUploaded: number }> {
  return page.evaluate(async (key) => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const open = indexedDB.open('p2p-sites');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const record = await new Promise<Record<string, number> | undefined>((ok, fail) => {
      const get = db.transaction('sites').objectStore('sites').get(key);
      get.onsuccess = () => ok(get.result as Record<string, number> | undefined);
      get.onerror = () => fail(get.error);
    });
    db.close();
    return { bytesFromPeers: record?.bytesFromPeers ?? 0, bytesFromOrigin: record?.bytesFromOrigin ?? 0, bytesUploaded: record?.bytesUploaded ?? 0 };
  }, address);
}
