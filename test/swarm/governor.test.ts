import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, decideSharing, defaultQuota, effectiveQuota, normaliseSettings, planEviction, shareOfCap, sharingPlan, swarmLimits } from '../../src/swarm/governor.js';

const calm = { hiddenForMs: 0, seedRank: 0 };

describe('governor', () => {
  it('splits caps among active engines', () => {
    expect(shareOfCap(200_000, 1)).toBe(200_000);
    expect(shareOfCap(200_000, 3)).toBe(66_666);
    expect(shareOfCap(200_000, 0)).toBe(200_000);
    expect(shareOfCap(-1, 3)).toBe(-1);
  });

  it('shares only when every condition allows it', () => {
    const s = normaliseSettings(undefined);
    expect(decideSharing(s, calm)).toEqual({ usePeers: true, upload: true });
    expect(decideSharing({ ...s, sharing: 'origin-only' }, calm)).toMatchObject({ usePeers: false, upload: false });
    expect(decideSharing({ ...s, sharing: 'download-only' }, calm)).toMatchObject({ usePeers: true, upload: false });
    expect(decideSharing({ ...s, paused: true }, calm).reason).toBe('stopped');
    expect(decideSharing(s, { ...calm, hiddenForMs: s.hiddenGraceMs }).reason).toBe('hidden');
    expect(decideSharing(s, { ...calm, hiddenForMs: s.hiddenGraceMs - 1 }).upload).toBe(true);
    expect(decideSharing(s, { ...calm, metered: true }).reason).toBe('metered');
    expect(decideSharing(s, { ...calm, battery: { charging: false, level: 0.1 } }).reason).toBe('battery');
    expect(decideSharing(s, { ...calm, battery: { charging: true, level: 0.1 } }).upload).toBe(true);
    expect(decideSharing(s, { ...calm, seedRank: 3 }).reason).toBe('too-many-sites');
  });

  it('refuses out-of-range settings with a message naming the field', () => {
    expect(() => normaliseSettings({ uploadLimit: -5 })).toThrow(/uploadLimit/);
    expect(() => normaliseSettings({ maxConnections: 0 })).toThrow(/maxConnections/);
    expect(() => normaliseSettings({ storageQuota: 10 })).toThrow(/storageQuota/);
    expect(() => normaliseSettings({ sharing: 'all' as never })).toThrow(/sharing/);
    expect(normaliseSettings({ uploadLimit: -1 }).uploadLimit).toBe(-1);
  });

  it('defaults the quota to 300 MB or a tenth of the browser grant', () => {
    expect(defaultQuota(undefined)).toBe(DEFAULT_SETTINGS.storageQuota);
    expect(defaultQuota(1_000_000_000)).toBe(100_000_000);
    // The visitor's own choice stands; the default shrinks to a tenth of what the browser grants.
    expect(effectiveQuota(normaliseSettings(undefined), 1_000_000_000)).toBe(100_000_000);
    expect(effectiveQuota(normaliseSettings({ storageQuota: 500_000_000 }), 1_000_000_000)).toBe(500_000_000);
    expect(defaultQuota(100_000_000_000)).toBe(300_000_000);
  });

  it('evicts least recently used unpinned sites, never the viewed or pinned one', () => {
    const sites = [
      { address: 'a', bytes: 100, lastVisit: 1, pinned: true },
      { address: 'b', bytes: 100, lastVisit: 2, pinned: false },
      { address: 'c', bytes: 100, lastVisit: 3, pinned: false },
      { address: 'd', bytes: 100, lastVisit: 4, pinned: false },
    ];
    expect(planEviction(sites, 400)).toEqual([]);
    expect(planEviction(sites, 250, 'd')).toEqual(['b', 'c']);
    expect(planEviction(sites, 50, 'b')).toEqual(['c', 'd']);
    // Several open sites are all kept; an empty (already evicted) entry is never picked.
    expect(planEviction(sites, 50, ['b', 'c'])).toEqual(['d']);
    expect(planEviction([...sites, { address: 'e', bytes: 0, lastVisit: 0, pinned: false }], 250, 'd')).toEqual(['b', 'c']);
  });
});

describe('sharingPlan', () => {
  const on = { hiddenForMs: 0, seedRank: 0 };
  it('is the decision with the caps split among the engines counted', () => {
    const settings = normaliseSettings({ uploadLimit: 300_000, downloadLimit: 900_000, maxConnections: 12 });
    expect(sharingPlan(settings, on, 3)).toEqual({ decision: { usePeers: true, upload: true }, usePeers: true, upload: true, uploadLimit: 100_000, downloadLimit: 300_000, maxConns: 12 });
  });
  it('keeps peers and uploads off where peers are impossible, whatever the settings allow', () => {
    const plan = sharingPlan(normaliseSettings({ sharing: 'share' }), on, 1, false);
    expect(plan).toMatchObject({ usePeers: false, upload: false });
    expect(plan.decision.usePeers).toBe(true);
  });
  it('carries the reason uploads are off, for the status view', () => {
    expect(sharingPlan(normaliseSettings({ sharing: 'origin-only' }), on, 1)).toMatchObject({ usePeers: false, upload: false, decision: { reason: 'origin-only' } });
    expect(sharingPlan(normaliseSettings({ sharing: 'download-only' }), on, 1)).toMatchObject({ usePeers: true, upload: false, decision: { reason: 'download-only' } });
  });
});

describe('swarmLimits', () => {
  it("splits the caps among the active engines and keeps the decision's upload", () => {
    const settings = normaliseSettings({ uploadLimit: 300_000, downloadLimit: -1, maxConnections: 12 });
    expect(swarmLimits(settings, { usePeers: true, upload: true }, 3)).toEqual({ upload: true, uploadLimit: 100_000, downloadLimit: -1, maxConns: 12 });
    expect(swarmLimits(settings, { usePeers: true, upload: false, reason: 'stopped' }, 0)).toEqual({ upload: false, uploadLimit: 300_000, downloadLimit: -1, maxConns: 12 });
  });
});
