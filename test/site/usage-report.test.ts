import { describe, expect, it } from 'vitest';
import { UsageReporter, type UsageCounts } from '../../src/site/usage-report.js';

describe('UsageReporter', () => {
  it('sends deltas since the last report, summed over transfers, only when something moved', () => {
    const sent: unknown[] = [];
    const a = { stats: { fromPeers: 100, fromOrigin: 10, uploaded: 0 } as UsageCounts };
    const b = { stats: { fromPeers: 0, fromOrigin: 0, uploaded: 50 } as UsageCounts };
    let live = [a, b];
    const r = new UsageReporter('/api/report', 'addr', () => live, (url, body) => sent.push([url, JSON.parse(body)]));
    r.flush();
    expect(sent).toEqual([['/api/report', { address: 'addr', fromPeers: 100, fromOrigin: 10, uploaded: 50 }]]);
    r.flush();
    expect(sent.length).toBe(1); // nothing moved
    a.stats.fromPeers = 150;
    b.stats.uploaded = 40; // a total that went down (a new transfer object would start at 0): nothing
    b.stats.fromOrigin = Number.NaN;
    live = [a, b, { stats: { fromPeers: 7, fromOrigin: 0, uploaded: 0 } }];
    r.stop();
    expect(sent[1]).toEqual(['/api/report', { address: 'addr', fromPeers: 57, fromOrigin: 0, uploaded: 0 }]);
  });
});
