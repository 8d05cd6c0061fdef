import { describe, expect, it } from 'vitest';
import { runPool } from '../../src/ui/run-pool.js';

describe('runPool', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await runPool([...Array(50).keys()], 6, async (n) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, n % 3));
      done.push(n);
      running--;
    });
    expect(most).toBe(6);
    expect(done.sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  });

  it('the first failure stops new tasks, waits for the running ones, and is thrown', async () => {
    const started: number[] = [];
    let running = 0;
    const run = runPool([...Array(100).keys()], 4, async (n) => {
      started.push(n);
      running++;
      await new Promise((r) => setTimeout(r, 1));
      running--;
      if (n === 5) throw new RangeError('five');
      if (n === 6) throw new RangeError('six');
    });
    await expect(run).rejects.toThrow('five');
    expect(running).toBe(0);
    expect(started.length).toBeLessThan(12);
  });

  it('an empty list does nothing', async () => {
    await runPool([], 4, async () => {
      throw new Error('never');
    });
  });
});
