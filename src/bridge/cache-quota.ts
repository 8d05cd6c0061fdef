import { loadSettings } from '../settings/settings-store.js';
import { effectiveQuota, planEviction, type CachedSite } from '../swarm/governor.js';
import { listVisits, markEvicted, noteMeasured, type VisitRecord } from './visits-store.js';
import { actInSiteFrame } from './site-frame.js';

/**
 * The cache quota across sites. Each site's files live on its own origin, so no single
 * store holds them all; the app's record of visited sites (every open site page reports
 * to it through its hub, see visit-relay.ts) is the directory this works from. When the
 * sites together exceed the visitor's quota, the least recently visited ones that are
 * neither pinned nor open in a tab are removed from their caches, each through a hidden
 * frame of its own origin (site-frame.ts), which refuses while the site is open or
 * pinned there.
 * An evicted site keeps its highest seq seen (no rollback) and opens again from peers
 * or the server.
 *
 * Sizes: a site page reports its own size, which a hostile site could inflate to push
 * the others out. So the site a pass runs for is measured by the browser first
 * (`navigator.storage.estimate()` on its origin), and that measure, once known, counts
 * instead of the report.
 */
export interface EvictResult {
  ok: boolean;
  reason?: string;
}

export interface QuotaDeps {
  visits(): Promise<VisitRecord[]>;
  quota(): Promise<number>;
  /** Bytes the site's origin stores, as the browser counts them; undefined if unknown. */
  measure(address: string): Promise<number | undefined>;
  measured(address: string, usage: number): Promise<void>;
  /** Removes the site's files from its origin, unless it is open or pinned there. */
  evict(address: string): Promise<EvictResult>;
  evicted(address: string, at: number): Promise<void>;
  now(): number;
}

const defaultDeps: QuotaDeps = {
  visits: () => listVisits(),
  quota: async () => effectiveQuota(await loadSettings(), (await navigator.storage?.estimate?.().catch(() => undefined))?.quota),
  measure: async (address) => (await actInSiteFrame(address, 'measure')).usage,
  measured: (address, usage) => noteMeasured(address, usage),
  evict: (address) => actInSiteFrame(address, 'evict'),
  evicted: (address, at) => markEvicted(address, at),
  now: () => Date.now(),
};

/** The sites the directory holds cached, as the governor counts them: measured bytes where known. */
export function cachedSites(records: readonly VisitRecord[]): CachedSite[] {
  return records
    .filter((r) => r.seq !== undefined && !r.evictedAt)
    .map((r) => ({ address: r.address, bytes: r.measured ?? r.size ?? 0, lastVisit: r.lastVisit || r.seenAt, pinned: r.pinned === true }));
}

/**
 * Evicts what the quota requires, never `viewing`. A site that refuses because it is
 * open in a tab or pinned there is kept and the plan made again.
 * @returns the addresses evicted.
 */
export async function enforceQuota(viewing: string, deps: QuotaDeps = defaultDeps): Promise<string[]> {
  if (viewing) {
    const usage = await deps.measure(viewing).catch(() => undefined);
    if (usage !== undefined) await deps.measured(viewing, usage);
  }
  const records = await deps.visits();
  const quota = await deps.quota();
  // Whether a site is open right now is asked of the site itself (its engine's Web Lock,
  // see manage-page.ts): reports arrive only now and then, and late from background tabs.
  const kept = new Set([viewing]);
  const sites = cachedSites(records);
  const done: string[] = [];
  // Each round evicts or keeps at least one more site, so this ends.
  for (let round = 0; round <= sites.length; round++) {
    const plan = planEviction(sites.filter((s) => !done.includes(s.address)), quota, [...kept]);
    if (!plan.length) break;
    for (const address of plan) {
      let result: EvictResult;
      try {
        result = await deps.evict(address);
      } catch (err) {
        result = { ok: false, reason: err instanceof Error ? err.message : String(err) };
      }
      if (!result.ok) {
        if (result.reason === 'E_OPEN' || result.reason === 'E_PINNED') console.info(`[p2p] kept ${address} in the cache: ${result.reason === 'E_OPEN' ? 'open in a tab' : 'pinned'}`);
        else console.warn(`[p2p] could not evict ${address}: ${result.reason ?? 'unknown'}`);
        kept.add(address);
        break; // Plan again without it.
      }
      await deps.evicted(address, deps.now());
      done.push(address);
    }
  }
  return done;
}

/** `enforceQuota` as one pass at a time per browser: two passes planning from the same list would evict too much. */
export function enforceQuotaExclusive(viewing: string): Promise<string[]> {
  if (!navigator.locks) return enforceQuota(viewing);
  // The lock's promise settles with the callback's result (the DOM typing nests it).
  return navigator.locks.request('p2p-cache-quota', () => enforceQuota(viewing)) as unknown as Promise<string[]>;
}
