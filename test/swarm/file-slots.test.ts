import { describe, expect, it } from 'vitest';
import type { ManifestFile } from '../../src/core/index.js';
import { emptySlot, slotsIn, type FileSlot } from '../../src/swarm/file-slots.js';

/** Slots laid end to end as SiteChunkStore lays them out (piece length 10). */
function layout(sizes: number[]): FileSlot[] {
  let offset = 0;
  return sizes.map((size, i) => {
    const file = { path: `f${i}`, size, sha256: String(i).repeat(64).slice(0, 64) } as ManifestFile;
    const startPiece = Math.floor(offset / 10);
    const slot = emptySlot({ file, offset, startPiece, endPiece: Math.max(startPiece, Math.floor((offset + Math.max(size, 1) - 1) / 10)) });
    offset += size;
    return slot;
  });
}

describe('slotsIn', () => {
  const slots = layout([5, 0, 12, 3, 0, 20]);
  const paths = (start: number, end: number) => slotsIn(slots, start, end).map((s) => s.file.path);

  it('finds the non-empty files a byte range overlaps, skipping empty ones', () => {
    expect(paths(0, 5)).toEqual(['f0']);
    expect(paths(4, 6)).toEqual(['f0', 'f2']);
    expect(paths(5, 17)).toEqual(['f2']);
    expect(paths(16, 21)).toEqual(['f2', 'f3', 'f5']);
    expect(paths(0, 40)).toEqual(['f0', 'f2', 'f3', 'f5']);
    expect(paths(39, 40)).toEqual(['f5']);
    expect(paths(40, 50)).toEqual([]);
  });

  it('agrees with a linear scan on every range of a many-file layout', () => {
    const many = layout(Array.from({ length: 60 }, (_, i) => (i * 7) % 5));
    const total = many.reduce((n, s) => n + s.file.size, 0);
    for (let start = 0; start <= total; start++) {
      for (let end = start + 1; end <= total + 1; end += 3) {
        const linear = many.filter((s) => s.file.size > 0 && s.offset < end && s.offset + s.file.size > start);
        expect(slotsIn(many, start, end)).toEqual(linear);
      }
    }
  });
});

describe('emptySlot', () => {
  it('starts hashing at the first piece and carries the epoch of the slot it replaces', () => {
    const [slot] = layout([25]);
    expect(slot).toMatchObject({ startPiece: 0, endPiece: 2, nextPiece: 0, pendingBytes: 0, hashing: false, epoch: 0 });
    expect(emptySlot(slot, 3).epoch).toBe(3);
    expect(emptySlot(slot, 3).hasher).not.toBe(slot.hasher);
  });
});
