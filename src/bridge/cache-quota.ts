import { loadSettings } from '../settings/settings-store.js';
import { effectiveQuota, planEviction, type CachedSite } from '../swarm/governor.js';
import { listVisits, markEvicted, type VisitRecord } from '../ui/visits-store.js';
import { actInSiteFrame } from './site-frame.js';
import { VISIT_OPEN_EXPIRY_MS } from './visit-messages.js';

/**
 * The cache quota across sites. Each site's files live on its own origin, so no single
 * store holds them all; the app's record of visited sites (every open site page reports
 * its size there, see visit-frame.ts) is the directory this works from. When the sites
 * together exceed the visitor's quota, the least recently visited ones that are neither
 * pinned nor open in a tab are removed from their caches, each through a hidden frame of
 * its own origin (site-frame.ts). An evicted site keeps its highest seq seen (no
 * rollback) and opens again from peers or the server.
 */
export interface QuotaDeps {
  visits(): Promise<VisitRecord[]>;
  quota(): Promise<number>;
  /** Removes the site's files from its origin; true when done. */
  evict(address: string): Promise<boolean>;
  evicted(address: string, at: number): Promise<void>;
  now(): number;
}

const defaultDeps: QuotaDeps = {
  visits: () => listVisits(),
  quota: async () => effectiveQuota(await loadSettings(), (await navigator.storage?.estimate?.().catch(() => undefined))?.quota),
  evict: async (address) => (await actInSiteFrame(address, 'evict')).ok,
  evicted: (address, at) => markEvicted(address, at),
  now: () => Date.now(),
};

/** True when a page of the site reported itself open within the expiry. */
export function isOpenNow(record: VisitRecord, now: number): boolean {
  return record.open === true && record.at !== undefined && now - record.at < VISIT_OPEN_EXPIRY_MS;
}

/** The sites the directory holds cached, as the governor counts them. */
export function cachedSites(records: readonly VisitRecord[]): CachedSite[] {
  return records
    .filter((r) => r.seq !== undefined && !r.evictedAt)
    .map((r) => ({ address: r.address, bytes: r.size ?? 0, lastVisit: r.lastVisit || r.seenAt, pinned: r.pinned === true }));
}

/**
 * Evicts what the quota requires, never `viewing` or any site open now.
 * @returns the addresses evicted.
 */
export async function enforceQuota(viewing: string, deps: QuotaDeps = defaultDeps): Promise<string[]> {
  const records = await deps.visits();
  const now = deps.now();
  const open = [viewing, ...records.filter((r) => isOpenNow(r, now)).map((r) => r.address)];
  const plan = planEviction(cachedSites(records), await deps.quota(), open);
  const done: string[] = [];
  for (const address of plan) {
    try {
      if (!(await deps.evict(address))) {
        // Open in a tab after all, or pinned: the site said no. The next pass asks again.
        console.info(`[p2p] ${address} was not evicted: it is open or pinned`);
        continue;
      }
      await deps.evicted(address, deps.now());
      done.push(address);
    } catch (err) {
      console.warn(`[p2p] could not evict ${address}`, err);
    }
  }
  return done;
}
