import { clear, type UseStore } from 'idb-keyval';
import { pieceStore } from '../store/piece-cache.js';
import { cacheStores, deleteBlob, updateSite, type CacheStores } from '../store/site-cache.js';
import type { SiteAction } from './frame-messages.js';
import { SiteActionError } from './errors.js';

/**
 * Pins, unpins, removes or evicts this origin's site from the cache. Evicting is
 * removing for the cache quota; it is refused when the site's own record says pinned
 * (the app's directory may be behind). Removing drops the served
 * and pending versions and their files but keeps the highest seq seen, so a removal can
 * never open the way to a rollback (docs/ARCHITECTURE.md, "Trust").
 */
export async function applySiteAction(address: string, action: SiteAction, stores: CacheStores = cacheStores(), pieces: UseStore = pieceStore()): Promise<void> {
  if (action === 'measure') return;
  if (action === 'pin' || action === 'unpin') {
    await updateSite(address, (r) => (r.pinned = action === 'pin'), stores);
    return;
  }
  let files: { sha256: string }[] = [];
  let pinned = false;
  // Checked and cleared in one transaction: a pin arriving meanwhile is never lost.
  await updateSite(
    address,
    (r) => {
      if (action === 'evict' && r.pinned) {
        pinned = true;
        return;
      }
      files = [...(r.current?.files ?? []), ...(r.pending?.files ?? [])];
      r.current = undefined;
      r.pending = undefined;
      r.pinned = false;
    },
    stores,
  );
  if (pinned) throw new SiteActionError('E_PINNED', 'the site is pinned');
  // One origin holds one site, so its files are nobody else's.
  for (const sha256 of new Set(files.map((f) => f.sha256))) await deleteBlob(sha256, stores);
  await clear(pieces);
}
