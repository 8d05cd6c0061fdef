import { describe, expect, it } from 'vitest';
import { parseVisitSummary } from '../../src/bridge/frame-messages.js';
import { siteOriginFor } from '../../src/bridge/frame-origins.js';
import { addressHint } from '../../src/ui/messages.js';

const A = 'a'.repeat(52);
const B = 'b'.repeat(52);
const summary = { address: A, seq: 3, title: '  My\n site ', size: 1200, pinned: true, lastVisit: 5, downloaded: 10, uploaded: 20, peers: 2, seeding: true, session: 's1', at: 9, open: true };

describe('visit summaries', () => {
  it('keeps a well-formed summary, tidying the title', () => {
    expect(parseVisitSummary(summary, A)).toEqual({ ...summary, title: 'My site' });
  });

  it('refuses a summary about another address than the reporting page', () => {
    expect(parseVisitSummary(summary, B)).toBeUndefined();
  });

  it('refuses junk and clamps what it cannot trust', () => {
    for (const bad of [null, 'x', { ...summary, address: 'nope' }, { ...summary, size: -1 }, { ...summary, at: 'now' }, { ...summary, lastVisit: NaN }]) {
      expect(parseVisitSummary(bad)).toBeUndefined();
    }
    const odd = parseVisitSummary({ ...summary, title: 'x'.repeat(500), peers: 1e9, downloaded: -5, pinned: 'yes', seq: 1.5 })!;
    expect(odd.title).toHaveLength(120);
    expect(odd.peers).toBe(10_000);
    expect(odd.downloaded).toBe(0);
    expect(odd.pinned).toBe(false);
    expect(odd.seq).toBe(1);
  });

  it('puts a site on its own origin under the app host', () => {
    expect(siteOriginFor(A, { protocol: 'http:', host: 'localhost:8080' })).toBe(`http://${A}.localhost:8080`);
  });
});

describe('address hints', () => {
  it('counts characters while typing, and names wrong characters and lengths', () => {
    expect(addressHint('', undefined)).toBeUndefined();
    expect(addressHint('abc', 'E_BAD_ADDRESS')).toEqual({ text: expect.stringContaining('3 of 52'), error: false });
    expect(addressHint('abc0', 'E_BAD_ADDRESS')!.error).toBe(true);
    expect(addressHint('a'.repeat(53), 'E_BAD_ADDRESS')!.text).toContain('53 characters');
    expect(addressHint(`http://abc.localhost:8080/`, 'E_BAD_ADDRESS')!.text).toContain('3 of 52');
  });
});
