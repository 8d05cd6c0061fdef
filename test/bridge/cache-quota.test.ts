import { describe, expect, it } from 'vitest';
import { cachedSites, enforceQuota, type QuotaDeps } from '../../src/bridge/cache-quota.js';
import type { VisitRecord } from '../../src/bridge/visits-store.js';

const MB = 1_000_000;
const NOW = 1_000_000;

function site(address: string, size: number, lastVisit: number, extra: Partial<VisitRecord> = {}): VisitRecord {
  return { address, seq: 1, size, lastVisit, seenAt: lastVisit, pinned: false, at: lastVisit, open: false, ...extra };
}

function deps(records: VisitRecord[], quota: number, refuse: string[] = [], usage?: Record<string, number>): QuotaDeps & { evictedLog: string[] } {
  const evictedLog: string[] = [];
  return {
    evictedLog,
    visits: async () => records,
    quota: async () => quota,
    measure: async (address) => usage?.[address],
    measured: async (address, bytes) => {
      const r = records.find((x) => x.address === address);
      if (r) r.measured = bytes;
    },
    evict: async (address) => (refuse.includes(address) ? { ok: false, reason: 'E_OPEN' } : { ok: true }),
    evicted: async (address) => void evictedLog.push(address),
    now: () => NOW,
  };
}

describe('cache quota across sites', () => {
  it('evicts the least recently visited unpinned site, keeping the pinned one and the one viewed', async () => {
    const records = [site('pinned', 0.6 * MB, 100, { pinned: true }), site('older', 0.6 * MB, 200), site('viewed', 0.6 * MB, 300)];
    const d = deps(records, 1 * MB);
    expect(await enforceQuota('viewed', d)).toEqual(['older']);
    expect(d.evictedLog).toEqual(['older']);
  });

  it('a site open in another tab refuses (its own lock says so): it is kept and the next one goes instead', async () => {
    const records = [
      site('open-elsewhere', MB, 100, { open: true, at: NOW - 1000 }),
      site('older', MB, 150),
      site('recent', MB, 250),
      site('viewed', MB, 300),
    ];
    // 4 MB over a 2.5 MB quota: two must go; "open-elsewhere" refuses.
    const d = deps(records, 2.5 * MB, ['open-elsewhere']);
    expect(await enforceQuota('viewed', d)).toEqual(['older', 'recent']);
    expect(d.evictedLog).toEqual(['older', 'recent']);
  });

  it('counts the viewed site by what the browser measures, not by what its page claims', async () => {
    // A page claiming a huge size would push every other site out...
    const records = [site('other', 0.4 * MB, 100), site('liar', 1e12, 300)];
    // ...but its origin really stores 0.5 MB, and 0.9 MB fits a 1 MB quota.
    const d = deps(records, 1 * MB, [], { liar: 0.5 * MB });
    expect(await enforceQuota('liar', d)).toEqual([]);
    expect(records[1].measured).toBe(0.5 * MB);
    // A measured site counts by its measure from then on, also when it reports less.
    expect(cachedSites([site('low', 0, 1, { measured: 2 * MB })])[0].bytes).toBe(2 * MB);
  });

  it('counts only sites with a cached version', () => {
    const records = [site('a', 10, 1), site('gone', 10, 2, { seq: undefined }), site('evicted', 0, 3, { evictedAt: 5 })];
    expect(cachedSites(records).map((s) => s.address)).toEqual(['a']);
  });

  it('does nothing within the quota', async () => {
    const d = deps([site('a', MB, 1), site('b', MB, 2)], 3 * MB);
    expect(await enforceQuota('b', d)).toEqual([]);
  });
});
