import { describe, expect, it } from 'vitest';
import { sha256, toHex, utf8 } from '../../src/core/index.js';
import { blobMatches, needsServeCheck } from '../../src/sw/serve-check.js';

describe('the service worker re-checks what would act', () => {
  it('checks every active type at any size and every file up to 1 MiB', () => {
    const big = 50 * 1024 * 1024;
    for (const type of ['text/html; charset=utf-8', 'text/javascript', 'application/javascript', 'text/css', 'image/svg+xml', 'application/wasm', 'application/json', 'application/atom+xml', 'application/xhtml+xml']) {
      expect(needsServeCheck({ type, size: big }), type).toBe(true);
    }
    expect(needsServeCheck({ type: 'video/webm', size: big })).toBe(false);
    expect(needsServeCheck({ type: 'application/octet-stream', size: big })).toBe(false);
    expect(needsServeCheck({ type: 'image/png', size: 1024 * 1024 })).toBe(true);
    expect(needsServeCheck({ type: 'image/png', size: 1024 * 1024 + 1 })).toBe(false);
  });

  it('refuses a blob whose bytes or size changed', async () => {
    const bytes = utf8('<h1>verified</h1>');
    const file = { sha256: toHex(await sha256(bytes)), size: bytes.length };
    expect(await blobMatches(file, new Blob([bytes as BlobPart]))).toBe(true);
    expect(await blobMatches(file, new Blob([utf8('<h1>defaced!</h1>') as BlobPart]))).toBe(false);
    expect(await blobMatches(file, new Blob([utf8('<h1>verified</h1> ') as BlobPart]))).toBe(false);
  });
});
