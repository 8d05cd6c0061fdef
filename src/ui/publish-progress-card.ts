import { html } from 'lit';
import { formatCount, formatSize } from './format-size.js';
import type { PublishProgress } from './publish.js';
import { progressFigures } from './publish-progress-figures.js';

/** The running publish: its step, counts, a bar and the list of steps. Styled by publishStyles. */
export function progressCard(p: PublishProgress) {
  const { label, fraction, counts, steps } = progressFigures(p);
  return html`<section class="card progress-card" aria-labelledby="progress-h">
    <div class="progress-head">
      <h3 id="progress-h">Publishing…</h3>
      <span class="step" data-field="step">${label ?? 'Done'}</span>
    </div>
    <p class="counts" data-field="counts" aria-live="polite" aria-atomic="true">${counts || html`&nbsp;`}</p>
    ${fraction === undefined ? html`<progress aria-label=${label ?? ''}></progress>` : html`<progress max="1" .value=${fraction} aria-label=${label ?? ''}></progress>`}
    <ol class="steps">
      ${steps.map(({ label, state }) => html`<li class=${state}><span class="icon" aria-hidden="true">${state === 'done' ? '✓' : ''}</span><span>${label}</span></li>`)}
    </ol>
  </section>`;
}

/** Walking a dropped folder, before there is a plan. */
export function readingCard({ files, bytes }: { files: number; bytes: number }) {
  return html`<section class="card progress-card" role="status" aria-labelledby="reading-h">
    <h3 id="reading-h">Reading the folder…</h3>
    <p class="counts" data-field="reading">${formatCount(files)} ${files === 1 ? 'file' : 'files'} found, ${formatSize(bytes)}</p>
  </section>`;
}
