import { html } from 'lit';
import type { Manifest } from '../core/index.js';
import type { ServerFeatures } from '../core/server-features.js';
import './qr-view.js';

/** A finished publish: the version and the link visitors open. */
export interface PublishResult {
  manifest: Manifest;
  url: string;
}

/** Who keeps the site reachable; says nothing of the server until the server has said what it does. */
function whoServes(features: ServerFeatures | undefined): string {
  if (features?.originSeed) return '; the origin seed keeps a copy for when no one does';
  if (features) return '. This server does not serve sites’ files itself: the site is reachable while someone who has it is online';
  return '';
}

/** The published card: link, copy and open buttons, address and QR code. */
export function resultCard({ manifest, url }: PublishResult, options: { features?: ServerFeatures; copied: boolean; onCopy: () => void }) {
  return html`<section class="card done-card" role="status" aria-labelledby="done-h">
    <div class="text">
      <h3 id="done-h">Published version ${manifest.seq}</h3>
      <p class="small muted" data-field="who-serves">This browser seeds it while this tab is open${whoServes(options.features)}.</p>
      <a class="link mono" data-field="url" href=${url} target="_blank" rel="noopener">${url}</a>
      <div class="row">
        <button class="primary" @click=${options.onCopy}>${options.copied ? 'Copied ✓' : 'Copy link'}</button>
        <a class="button" href=${url} target="_blank" rel="noopener">Open site</a>
      </div>
      <p class="small muted">Address <code data-field="address">${manifest.address}</code></p>
    </div>
    <p2p-qr .text=${url}></p2p-qr>
  </section>`;
}
