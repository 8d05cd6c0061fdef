import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/swarm/read-ahead.js';

/** A store of `length` bytes where byte i is i % 256, counting its reads. */
function fakeStore(length: number, stored: (start: number, end: number) => boolean = () => true) {
  const reads: [number, number][] = [];
  const read = async (start: number, end: number) => {
    reads.push([start, end]);
    return Uint8Array.from({ length: end - start }, (_, i) => (start + i) % 256);
  };
  return { reads, options: { length, storedOnly: stored, read } };
}

describe('readAhead', () => {
  it('reads a whole window once and serves the blocks in it from memory', async () => {
    const { reads, options } = fakeStore(100);
    const ahead = readAhead({ ...options, windowBytes: 32 });
    expect([...(await ahead.read(0, 4))]).toEqual([0, 1, 2, 3]);
    expect([...(await ahead.read(10, 12))]).toEqual([10, 11]);
    expect([...(await ahead.read(96, 100))]).toEqual([96, 97, 98, 99]);
    expect(reads).toEqual([
      [0, 32],
      [96, 100],
    ]);
  });

  it('reads directly what spans two windows or touches bytes not stored', async () => {
    const { reads, options } = fakeStore(100, (start) => start < 64);
    const ahead = readAhead({ ...options, windowBytes: 32 });
    expect([...(await ahead.read(30, 34))]).toEqual([30, 31, 32, 33]);
    expect([...(await ahead.read(70, 72))]).toEqual([70, 71]);
    expect(reads).toEqual([
      [30, 34],
      [70, 72],
    ]);
  });

  it('keeps the most recently used windows and drops the oldest', async () => {
    const { reads, options } = fakeStore(100);
    const ahead = readAhead({ ...options, windowBytes: 10, windows: 2 });
    await ahead.read(0, 1); // window 0
    await ahead.read(10, 11); // window 1
    await ahead.read(0, 1); // window 0 again: now the most recent
    await ahead.read(20, 21); // window 2 drops window 1
    await ahead.read(0, 1);
    await ahead.read(10, 11);
    expect(reads.map(([start]) => start)).toEqual([0, 10, 20, 10]);
    ahead.clear();
    await ahead.read(0, 1);
    expect(reads.map(([start]) => start)).toEqual([0, 10, 20, 10, 0]);
  });

  it('forgets a window whose read failed, so the next read tries again', async () => {
    let fail = true;
    let calls = 0;
    const ahead = readAhead({
      length: 10,
      storedOnly: () => true,
      read: async (start, end) => {
        calls++;
        if (fail) throw new Error('blob read failed');
        return new Uint8Array(end - start);
      },
    });
    await expect(ahead.read(0, 2)).rejects.toThrow('blob read failed');
    fail = false;
    await expect(ahead.read(0, 2)).resolves.toHaveLength(2);
    expect(calls).toBe(2);
  });
});
