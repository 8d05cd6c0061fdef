import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/index.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

describe('a site as large as the limits allow', () => {
  it('builds, encodes and verifies a 10,000-file manifest in a worker-sized stack', async () => {
    // 300 kB of stack is less than Chromium gives a worker; the old bencode overflowed
    // there from about 2,500 files (`concatBytes(...parts)`).
    const { stdout } = await run(process.execPath, ['--stack-size=300', '--import', 'tsx', 'test/helpers/many-files-manifest.ts', String(DEFAULT_LIMITS.maxFiles)], { cwd: root, timeout: 120_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { files: number; removed: number; canonicalBytes: number };
    expect(result.files).toBe(DEFAULT_LIMITS.maxFiles);
    expect(result.removed).toBe(DEFAULT_LIMITS.maxFiles);
    expect(result.canonicalBytes).toBeGreaterThan(DEFAULT_LIMITS.maxFiles * 100);
  }, 150_000);
});
