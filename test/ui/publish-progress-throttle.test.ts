import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ProgressThrottle } from '../../src/ui/publish-progress-throttle.js';

/** A host that counts its updates, as a LitElement would render. */
function fakeHost() {
  const controllers: ReactiveController[] = [];
  const host = {
    updates: 0,
    controllers,
    addController: (c: ReactiveController) => void controllers.push(c),
    removeController: () => undefined,
    requestUpdate: () => void host.updates++,
    updateComplete: Promise.resolve(true),
  };
  return host satisfies ReactiveControllerHost;
}

describe('ProgressThrottle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a burst of reports is one update, with the newest, after the interval', () => {
    const host = fakeHost();
    const t = new ProgressThrottle<number>(host, { everyMs: 100 });
    expect(host.controllers).toEqual([t]);
    for (let i = 1; i <= 1000; i++) t.push(i);
    expect(t.shown).toBeUndefined();
    expect(host.updates).toBe(0);
    vi.advanceTimersByTime(99);
    expect(host.updates).toBe(0);
    vi.advanceTimersByTime(1);
    expect(t.shown).toBe(1000);
    expect(host.updates).toBe(1);
    t.push(1001);
    vi.advanceTimersByTime(100);
    expect(t.shown).toBe(1001);
    expect(host.updates).toBe(2);
  });

  it('urgent reports are shown at once and take the pending one with them', () => {
    const host = fakeHost();
    const t = new ProgressThrottle<{ step: string; n: number }>(host, { urgent: (next, shown) => next.step !== shown?.step });
    t.push({ step: 'a', n: 0 });
    expect(t.shown).toEqual({ step: 'a', n: 0 });
    t.push({ step: 'a', n: 1 });
    t.push({ step: 'b', n: 0 });
    expect(t.shown).toEqual({ step: 'b', n: 0 });
    expect(host.updates).toBe(2);
    vi.runAllTimers();
    expect(host.updates).toBe(2);
  });

  it('flush shows the newest now; reset shows its value and drops what was pending', () => {
    const host = fakeHost();
    const t = new ProgressThrottle<number>(host);
    t.push(1);
    t.flush();
    expect(t.shown).toBe(1);
    t.push(2);
    t.reset(0);
    expect(t.shown).toBe(0);
    vi.runAllTimers();
    expect(t.shown).toBe(0);
    expect(host.updates).toBe(2);
  });

  it('a pending tick ends with cancel and with the host’s disconnection', () => {
    const host = fakeHost();
    const t = new ProgressThrottle<number>(host);
    t.push(1);
    t.cancel();
    t.push(2);
    t.hostDisconnected();
    vi.runAllTimers();
    expect(t.shown).toBeUndefined();
    expect(host.updates).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
