import { html } from 'lit';
import type { ManifestDiff } from '../core/index.js';
import { formatSize } from './format-size.js';

/** What changed from the site's current version, as `diffPlan` found it. */
export interface PlanDiff {
  diff: ManifestDiff;
  /** False when large files were compared by size only. */
  exact: boolean;
  /** The current version's number. */
  seq: number;
}

/** The "Changes from version N" section of the plan. */
export function diffView({ diff, exact, seq }: PlanDiff) {
  const changed = diff.added.length + diff.removed.length + diff.modified.length;
  return html`<section class="diff" aria-label="Changes">
    <h3>Changes from version ${seq}</h3>
    ${changed
      ? html`<ul>
          ${diff.added.map((f) => html`<li class="added">+ added ${f.path} <span class="size">${formatSize(f.size)}</span></li>`)}
          ${diff.removed.map((f) => html`<li class="removed">− removed ${f.path}</li>`)}
          ${diff.modified.map((m) => html`<li class="modified">~ modified ${m.after.path} <span class="size">${formatSize(m.before.size)} → ${formatSize(m.after.size)}</span></li>`)}
        </ul>`
      : html`<p>No file changed; publishing makes version ${seq + 1} with the same files.</p>`}
    <p class="muted small">${diff.unchanged.length} unchanged. This will be version ${seq + 1}; visitors fetch only what changed.${exact ? '' : ' (Large site: compared by size; same-size edits are found when publishing.)'}</p>
  </section>`;
}
