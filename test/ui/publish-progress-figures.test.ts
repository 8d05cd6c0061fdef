import { describe, expect, it } from 'vitest';
import { progressFigures, PUBLISH_STEPS } from '../../src/ui/publish-progress-figures.js';
import type { PublishProgress } from '../../src/ui/publish.js';

const at = (step: PublishProgress['step'], files: number, bytes: number, filesTotal = 10_000, bytesTotal = 3 * 1024 * 1024): PublishProgress => ({ step, files, filesTotal, bytes, bytesTotal });

describe('the progress card’s figures', () => {
  it('reading and uploading count files and bytes, and the bar follows the bytes', () => {
    const f = progressFigures(at('uploading', 2500, 1024 * 1024));
    expect(f.label).toBe('Upload to the server');
    expect(f.counts).toBe('2,500 of 10,000 files · 1 MiB of 3 MiB');
    expect(f.fraction).toBeCloseTo(1 / 3);
    expect(f.steps.map((s) => s.state)).toEqual(['done', 'done', 'active', 'pending']);
    expect(progressFigures(at('reading', 0, 0)).steps.map((s) => s.state)).toEqual(['active', 'pending', 'pending', 'pending']);
  });

  it('without bytes to send the bar follows the files, and with neither it is full', () => {
    expect(progressFigures(at('uploading', 1, 0, 4, 0)).fraction).toBe(0.25);
    // A new version with no file changed: nothing to upload, so nothing left to wait for.
    expect(progressFigures(at('uploading', 0, 0, 0, 0)).fraction).toBe(1);
  });

  it('signing shows the totals and seeding nothing, both with a running bar', () => {
    const signing = progressFigures(at('signing', 0, 0, 1, 1024));
    expect(signing.counts).toBe('1 files, 1 KiB');
    expect(signing.fraction).toBeUndefined();
    const seeding = progressFigures(at('seeding', 0, 0));
    expect(seeding.counts).toBe('');
    expect(seeding.fraction).toBeUndefined();
    expect(seeding.label).toBe('Seed from this browser');
  });

  it('done: no running step, every step ticked', () => {
    const f = progressFigures(at('done', 10_000, 3 * 1024 * 1024));
    expect(f.label).toBeUndefined();
    expect(f.counts).toBe('');
    expect(f.fraction).toBe(1);
    expect(f.steps).toEqual(PUBLISH_STEPS.map(({ label }) => ({ label, state: 'done' })));
  });
});
