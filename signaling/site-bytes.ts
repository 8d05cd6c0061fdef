/** Where a site's bytes came from: the origin seed (measured) or peers (visitors' reports). */
export type ByteSource = 'origin' | 'peers';

export type SourceBytes = Record<ByteSource, number>;

/**
 * Bytes per site in a table of at most `capacity` sites, so memory and the number of
 * metric series stay bounded however many sites are ever served. When a new site arrives
 * at a full table the site with the fewest bytes leaves it; its bytes stay in the totals,
 * so "every other site" (totals minus the top sites) still adds up. A site's count is
 * therefore what it got since it last entered the table: exact for sites that stay among
 * the busiest, a lower bound for the others (the heavy hitters of a stream are kept, as in
 * the Space-Saving algorithm, without its overestimate).
 */
export class SiteBytes {
  private readonly sites = new Map<string, SourceBytes>();
  readonly totals: SourceBytes = { origin: 0, peers: 0 };

  constructor(private readonly capacity = 1000) {}

  /** Adds `bytes` for `site`; `undefined` (an info hash no stored site has) counts in the totals only. */
  add(site: string | undefined, source: ByteSource, bytes: number): void {
    if (!(bytes > 0)) return;
    this.totals[source] += bytes;
    if (site === undefined) return;
    let entry = this.sites.get(site);
    if (!entry) {
      if (this.sites.size >= this.capacity) this.evictSmallest();
      this.sites.set(site, (entry = { origin: 0, peers: 0 }));
    }
    entry[source] += bytes;
  }

  /** Bytes recorded for one site (0 when it is not in the table). */
  of(site: string): SourceBytes {
    return { ...(this.sites.get(site) ?? { origin: 0, peers: 0 }) };
  }

  /** The `n` sites with the most bytes (both sources together), most first. */
  top(n: number): [string, SourceBytes][] {
    return [...this.sites].sort((a, b) => sum(b[1]) - sum(a[1]) || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([site, bytes]) => [site, { ...bytes }]);
  }

  get size(): number {
    return this.sites.size;
  }

  private evictSmallest(): void {
    let smallest: string | undefined;
    let least = Infinity;
    for (const [site, bytes] of this.sites) {
      if (sum(bytes) < least) {
        least = sum(bytes);
        smallest = site;
      }
    }
    if (smallest !== undefined) this.sites.delete(smallest);
  }
}

const sum = (b: SourceBytes) => b.origin + b.peers;
