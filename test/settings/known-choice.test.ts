import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FRAME_READY_MS, KnownChoice } from '../../src/settings/known-choice.js';

/** Resolves to what made the choice known, or 'waiting' if it is not known yet. */
async function state(choice: KnownChoice): Promise<string> {
  return Promise.race([choice.known, Promise.resolve('waiting')]);
}

describe('KnownChoice: when a page may act on the visitor\'s settings', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a frame that never loads is waited for, however long: no timer makes the choice known', async () => {
    const onFailed = vi.fn();
    const choice = new KnownChoice(onFailed);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(await state(choice)).toBe('waiting');
    expect(onFailed).not.toHaveBeenCalled();
  });

  it('a frame that loaded and acknowledged the hello is waited for, however slow its answer', async () => {
    const onFailed = vi.fn();
    const choice = new KnownChoice(onFailed);
    choice.frameLoaded();
    choice.frameHeard();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(await state(choice)).toBe('waiting');
    choice.settle('frame');
    expect(await state(choice)).toBe('frame');
    expect(onFailed).not.toHaveBeenCalled();
  });

  it('a frame whose document loaded but never acknowledged the hello has failed after the bound', async () => {
    const onFailed = vi.fn();
    const choice = new KnownChoice(onFailed);
    choice.frameLoaded();
    await vi.advanceTimersByTimeAsync(FRAME_READY_MS - 1);
    expect(await state(choice)).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1);
    expect(await state(choice)).toBe('frame-failed');
    expect(onFailed).toHaveBeenCalledTimes(1);
  });

  it('a frame that says it cannot read the storage has failed at once; failing again changes nothing', async () => {
    const onFailed = vi.fn();
    const choice = new KnownChoice(onFailed);
    choice.frameLoaded();
    choice.frameHeard();
    choice.failed();
    choice.failed();
    expect(await state(choice)).toBe('frame-failed');
    expect(onFailed).toHaveBeenCalledTimes(1);
    expect(choice.settle('frame')).toBe(false);
  });

  it('known by the copy ("origin only"): a later failure does not fall back over it', async () => {
    const onFailed = vi.fn();
    const choice = new KnownChoice(onFailed);
    expect(choice.settle('copy')).toBe(true);
    choice.frameLoaded();
    await vi.advanceTimersByTimeAsync(FRAME_READY_MS * 2);
    expect(await state(choice)).toBe('copy');
    expect(onFailed).not.toHaveBeenCalled();
    expect(choice.isKnown).toBe(true);
  });
});
