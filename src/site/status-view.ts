import { LitElement, css, html, nothing } from 'lit';
import type { EngineState } from './engine.js';
import { describeSiteError } from './errors.js';
import { formatDate } from './format.js';

/**
 * The small notice the runtime adds to a site's pages. Silent while all is well; it
 * speaks up for a ready update, an offline copy that may be old, a blocked site, or
 * files still arriving. Lives in a shadow root so the site's styles cannot reach it.
 */
export class P2pSiteStatus extends LitElement {
  static override properties = { state: { attribute: false }, dismissed: { state: true } };
  state?: EngineState;
  dismissed = false;
  onReload?: () => void;

  static override styles = css`
    :host { all: initial; position: fixed; right: 12px; bottom: 12px; z-index: 2147483647; font: 14px/1.4 system-ui, sans-serif; }
    .note { display: flex; gap: 0.75rem; align-items: center; max-width: min(26rem, calc(100vw - 24px)); box-sizing: border-box;
      background: #1f2328; color: #fff; padding: 0.55rem 0.8rem; border-radius: 8px; box-shadow: 0 4px 18px rgb(0 0 0 / 0.25); }
    .note.quiet { background: #f6f8fa; color: #1f2328; border: 1px solid #d0d7de; box-shadow: none; font-size: 12.5px; }
    button { font: inherit; border: 0; border-radius: 6px; padding: 0.3rem 0.7rem; cursor: pointer; background: #2f81f7; color: #fff; }
    button.close { background: transparent; color: inherit; padding: 0 0.2rem; font-size: 1.1rem; opacity: 0.7; }
  `;

  override render() {
    const s = this.state;
    if (!s || this.dismissed) return nothing;
    if (s.error?.code === 'E_DENIED') {
      return html`<div class="note" role="alert">${describeSiteError('E_DENIED').title}</div>`;
    }
    if (s.updateReady && s.pending) {
      return html`<div class="note" role="status" data-p2p="update">
        <span>A new version of this site is ready.</span>
        <button @click=${() => this.onReload?.()}>Reload</button>
        <button class="close" aria-label="Dismiss" @click=${() => (this.dismissed = true)}>×</button>
      </div>`;
    }
    if (s.serverReachable === false && s.manifest) {
      return html`<div class="note quiet" role="status" data-p2p="offline">
        <span>Saved copy: version ${s.manifest.seq} of ${formatDate(s.manifest.createdAt)}. A newer version may exist.</span>
        <button class="close" aria-label="Dismiss" @click=${() => (this.dismissed = true)}>×</button>
      </div>`;
    }
    if (s.phase === 'fetching' && s.stats && s.stats.bytesDone < s.stats.bytesTotal) {
      const pct = Math.floor((100 * s.stats.bytesDone) / s.stats.bytesTotal);
      return html`<div class="note quiet" role="status" data-p2p="loading">Loading the rest of the site… ${pct}%</div>`;
    }
    return nothing;
  }
}

customElements.define('p2p-site-status', P2pSiteStatus);
