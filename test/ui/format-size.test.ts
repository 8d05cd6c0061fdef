import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/index.js';
import { formatCount, formatSize } from '../../src/ui/format-size.js';

describe('sizes as the app shows them', () => {
  it('the limits read as the docs write them', () => {
    expect(formatSize(DEFAULT_LIMITS.maxTotalBytes)).toBe('512 MiB');
    expect(formatSize(DEFAULT_LIMITS.maxFileBytes)).toBe('512 MiB');
    expect(formatCount(DEFAULT_LIMITS.maxFiles)).toBe('10,000');
  });

  it('binary units: whole when exact, one decimal under 10, else rounded', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1 KiB');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(150 * 1024 + 300)).toBe('150 KiB');
    expect(formatSize(4 * 1024 ** 3)).toBe('4 GiB');
    expect(formatSize(2.25 * 1024 ** 2)).toBe('2.3 MiB');
    expect(formatSize(-1)).toBe('—');
    expect(formatSize(Number.NaN)).toBe('—');
  });
});
