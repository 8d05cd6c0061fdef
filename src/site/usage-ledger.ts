import { updateSite, type CacheStores } from '../store/site-cache.js';
import type { UsageCounts } from './usage-report.js';

/**
 * Adds what each transfer or download moved to the site's usage counters in the cache
 * (the app's "from peers / from the origin / uploaded"), counting every byte once however
 * often a source is saved.
 */
export class UsageLedger {
  private readonly saved = new WeakMap<object, UsageCounts>();

  constructor(
    private readonly address: string,
    private readonly stores: CacheStores,
  ) {}

  async save(source: { stats: UsageCounts }): Promise<void> {
    const saved = this.saved.get(source) ?? { fromPeers: 0, fromOrigin: 0, uploaded: 0 };
    const now = { fromPeers: source.stats.fromPeers, fromOrigin: source.stats.fromOrigin, uploaded: source.stats.uploaded };
    this.saved.set(source, now);
    if (now.fromPeers === saved.fromPeers && now.fromOrigin === saved.fromOrigin && now.uploaded === saved.uploaded) return;
    await updateSite(this.address, (r) => {
      r.bytesFromPeers += now.fromPeers - saved.fromPeers;
      r.bytesFromOrigin += now.fromOrigin - saved.fromOrigin;
      r.bytesUploaded += now.uploaded - saved.uploaded;
    }, this.stores);
  }
}
