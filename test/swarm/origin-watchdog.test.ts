import { afterEach, describe, expect, it, vi } from 'vitest';
import { SLOW_PEERS_MS, nobodyElse, originCheck, watchOrigin } from '../../src/swarm/origin-watchdog.js';

describe('originCheck', () => {
  const graceMs = 3000;

  it('asks for the origin once peers have sent nothing new for the grace period', () => {
    const check = originCheck({ graceMs, startedAt: 0 });
    expect(check({ now: 0, bytes: 0, remaining: 1000 })).toBe(false);
    expect(check({ now: graceMs - 1, bytes: 0, remaining: 1000 })).toBe(false);
    expect(check({ now: graceMs, bytes: 0, remaining: 1000 })).toBe(true);
  });

  it('restarts the stall clock whenever bytes arrive', () => {
    const check = originCheck({ graceMs, startedAt: 0 });
    expect(check({ now: 0, bytes: 0, remaining: 1000 })).toBe(false);
    // Fast enough that the pace never calls for help: 1000 bytes a ms, 1000 left.
    expect(check({ now: 2500, bytes: 2_500_000, remaining: 1000 })).toBe(false);
    expect(check({ now: 5000, bytes: 2_500_000, remaining: 1000 })).toBe(false);
    expect(check({ now: 5500, bytes: 2_500_000, remaining: 1000 })).toBe(true);
  });

  it('leaves peers that keep up alone, and helps peers whose pace would take longer than SLOW_PEERS_MS', () => {
    // After the grace period, 1 byte a ms: SLOW_PEERS_MS bytes left is just enough.
    const keepUp = originCheck({ graceMs, startedAt: 0 });
    expect(keepUp({ now: graceMs, bytes: graceMs, remaining: SLOW_PEERS_MS })).toBe(false);
    const slow = originCheck({ graceMs, startedAt: 0 });
    expect(slow({ now: graceMs, bytes: graceMs, remaining: SLOW_PEERS_MS + 1 })).toBe(true);
  });

  it('judges the pace only after the grace period, and only once bytes came', () => {
    const early = originCheck({ graceMs, startedAt: 1000 });
    expect(early({ now: 1000 + graceMs - 1, bytes: 1, remaining: 1e9 })).toBe(false);
    expect(early({ now: 1000 + graceMs, bytes: 2, remaining: 1e9 })).toBe(true);
    const custom = originCheck({ graceMs, startedAt: 0, slowPeersMs: 10 });
    expect(custom({ now: graceMs, bytes: graceMs, remaining: 11 })).toBe(true);
  });
});

describe('nobodyElse', () => {
  it('is true when the tracker counts at most this browser', () => {
    expect(nobodyElse({})).toBe(true);
    expect(nobodyElse({ complete: 0, incomplete: 1 })).toBe(true);
    expect(nobodyElse({ complete: 1, incomplete: 1 })).toBe(false);
    expect(nobodyElse({ complete: 2 })).toBe(false);
  });
});

describe('watchOrigin', () => {
  afterEach(() => void vi.useRealTimers());

  it('checks every 250 ms, keeps asking while peers need help, and stops when told', () => {
    vi.useFakeTimers();
    let now = 0;
    const needed = vi.fn();
    const stop = watchOrigin({ graceMs: 1000, progress: () => ({ bytes: 0, remaining: 10 }), needed, clock: () => now });
    // The first tick is the first sample, so the stall counts from it.
    for (let t = 250; t <= 1000; t += 250) {
      now = t;
      vi.advanceTimersByTime(250);
    }
    expect(needed).not.toHaveBeenCalled();
    now = 1250;
    vi.advanceTimersByTime(250);
    expect(needed).toHaveBeenCalledTimes(1);
    now = 1500;
    vi.advanceTimersByTime(250);
    expect(needed).toHaveBeenCalledTimes(2);
    stop();
    now = 5000;
    vi.advanceTimersByTime(5000);
    expect(needed).toHaveBeenCalledTimes(2);
  });
});
