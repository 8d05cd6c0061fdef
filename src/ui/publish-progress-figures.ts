import { formatCount, formatSize } from './format-size.js';
import type { PublishProgress, PublishStep } from './publish.js';

/** The publish's steps as the progress card lists them, in order ('done' is past the last). */
export const PUBLISH_STEPS: readonly { step: PublishStep; label: string }[] = [
  { step: 'reading', label: 'Read the files' },
  { step: 'signing', label: 'Hash and sign' },
  { step: 'uploading', label: 'Upload to the server' },
  { step: 'seeding', label: 'Seed from this browser' },
];

export type StepState = 'done' | 'active' | 'pending';

/** What the progress card shows for one progress report. */
export interface ProgressFigures {
  /** The running step's label; undefined once the publish is past its last step. */
  label?: string;
  /** 0 to 1; undefined while the step cannot tell how far it is (an indeterminate bar). */
  fraction?: number;
  /** Files and bytes, or '' when the step has none to show. */
  counts: string;
  steps: { label: string; state: StepState }[];
}

/**
 * The card's text and bar for a progress report. Signing and seeding have no measure to
 * show (signing is one pass over hashes, seeding waits on the swarm), so their bar runs
 * without a value; a step with nothing to count is full.
 */
export function progressFigures(p: PublishProgress): ProgressFigures {
  const at = PUBLISH_STEPS.findIndex((s) => s.step === p.step);
  const fraction = p.step === 'signing' || p.step === 'seeding' ? undefined : p.bytesTotal ? p.bytes / p.bytesTotal : p.filesTotal ? p.files / p.filesTotal : 1;
  const counts = p.step === 'reading' || p.step === 'uploading'
    ? `${formatCount(p.files)} of ${formatCount(p.filesTotal)} files · ${formatSize(p.bytes)} of ${formatSize(p.bytesTotal)}`
    : p.step === 'signing'
      ? `${formatCount(p.filesTotal)} files, ${formatSize(p.bytesTotal)}`
      : '';
  const steps = PUBLISH_STEPS.map(({ label }, i) => ({ label, state: (i < at || at < 0 ? 'done' : i === at ? 'active' : 'pending') as StepState }));
  return { label: PUBLISH_STEPS[at]?.label, fraction, counts, steps };
}
