import { describe, expect, it } from 'vitest';
import { parseByteRange as parseRange } from '../../src/core/byte-range.js';

// The one Range parser of the server (signaling/http-util.ts) and the service worker (src/sw/respond.ts).
describe('parseByteRange', () => {
  it('parses single ranges per RFC 9110', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ kind: 'range', start: 0, end: 0 });
    expect(parseRange('bytes=9-', 10)).toEqual({ kind: 'range', start: 9, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ kind: 'range', start: 7, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ kind: 'range', start: 5, end: 9 });
    expect(parseRange('bytes=10-', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-1,3-4', 10)).toEqual({ kind: 'none' });
    expect(parseRange('items=0-1', 10)).toEqual({ kind: 'none' });
    expect(parseRange(null, 10)).toEqual({ kind: 'none' });
  });

  it('reads the cases the server used to read on its own the same way', () => {
    expect(parseRange(undefined, 10)).toEqual({ kind: 'none' });
    expect(parseRange(' bytes=2-3 ', 10)).toEqual({ kind: 'range', start: 2, end: 3 });
    expect(parseRange('bytes=-', 10)).toEqual({ kind: 'none' });
    expect(parseRange('bytes=5-4', 10)).toEqual({ kind: 'none' });
    expect(parseRange('bytes=-20', 10)).toEqual({ kind: 'range', start: 0, end: 9 });
    // An empty file has no byte to send.
    expect(parseRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('answers any header with a range inside the file, unsatisfiable or none (seeded fuzz)', () => {
    let seed = 16;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const pieces = ['bytes=', '-', ',', ' ', '0', '1', '9', '42', '007', 'x', '=', 'bytes', '99999999999999999999'];
    for (let round = 0; round < 2000; round++) {
      const header = Array.from({ length: rand(6) }, () => pieces[rand(pieces.length)]).join('');
      const size = rand(3) === 0 ? 0 : rand(100);
      const range = parseRange(header, size);
      if (range.kind === 'range') {
        expect(range.start).toBeGreaterThanOrEqual(0);
        expect(range.start).toBeLessThanOrEqual(range.end);
        expect(range.end).toBeLessThan(size);
      } else {
        expect(['none', 'unsatisfiable']).toContain(range.kind);
      }
    }
  });
});
