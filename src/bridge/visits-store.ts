import { createStore, del, entries, get, set, update, type UseStore } from 'idb-keyval';
import type { VisitSummary } from './frame-messages.js';

/**
 * Sites visited in this browser, as their pages last reported them (see
 * src/bridge/frame-messages.ts), kept on the app's origin. The sites' own caches stay on
 * their origins; this is only what the app was told, for the "My sites" list.
 */
export interface VisitRecord extends Partial<VisitSummary> {
  address: string;
  /** When the app last heard about the site, or opened it. */
  seenAt: number;
  /** When the cache quota evicted the site's files (it opens again from peers or the server). */
  evictedAt?: number;
  /** Bytes the site's origin stored when last measured by the browser (not self-reported). */
  measured?: number;
}

let defaultStore: UseStore | undefined;
function store(): UseStore {
  defaultStore ??= createStore('p2p-visits', 'visits');
  return defaultStore;
}

/** Keeps a site's newest summary (an older one, arriving late, is ignored). */
export async function saveVisit(summary: VisitSummary, customStore = store()): Promise<void> {
  await update<VisitRecord>(
    summary.address,
    (old) => (old?.at && old.at > summary.at ? old : { ...old, ...summary, seenAt: Date.now(), evictedAt: undefined }),
    customStore,
  );
}

/**
 * Keeps what a site page reported. Only sites with something cached are "visited sites":
 * one just removed from its cache (or loading for the first time) reports no version;
 * an evicted one stays listed as evicted until it has a version again.
 */
export async function keepSummary(summary: VisitSummary, customStore = store()): Promise<void> {
  if (summary.seq !== undefined) return saveVisit(summary, customStore);
  const old = await get<VisitRecord>(summary.address, customStore);
  if (!old?.evictedAt) await del(summary.address, customStore);
}

/**
 * The quota evicted a site: nothing of it is cached any more, nor pinned. `at` is also
 * the summary time, so a report sent before the eviction cannot bring the entry back.
 */
export async function markEvicted(address: string, at = Date.now(), customStore = store()): Promise<void> {
  await update<VisitRecord>(address, (old) => ({ ...old, address, seenAt: old?.seenAt ?? at, at, seq: undefined, size: 0, measured: undefined, pinned: false, evictedAt: at }), customStore);
}

/** What the browser says the site's origin stores (see cache-quota.ts). */
export async function noteMeasured(address: string, usage: number, customStore = store()): Promise<void> {
  await update<VisitRecord>(address, (old) => ({ ...old, address, seenAt: old?.seenAt ?? Date.now(), measured: usage }), customStore);
}

/** A site opened from the app, before its page reports anything. */
export async function noteOpened(address: string, customStore = store()): Promise<void> {
  await update<VisitRecord>(address, (old) => ({ ...old, address, seenAt: Date.now() }), customStore);
}

/** A site removed from its cache: forget what the app knew about it too. */
export async function forgetVisit(address: string, customStore = store()): Promise<void> {
  await del(address, customStore);
}

export async function getVisit(address: string, customStore = store()): Promise<VisitRecord | undefined> {
  return get<VisitRecord>(address, customStore);
}

export async function listVisits(customStore = store()): Promise<VisitRecord[]> {
  return (await entries<string, VisitRecord>(customStore)).map(([, v]) => v).sort((a, b) => (b.lastVisit ?? b.seenAt) - (a.lastVisit ?? a.seenAt));
}

export async function replaceVisit(record: VisitRecord, customStore = store()): Promise<void> {
  await set(record.address, record, customStore);
}
