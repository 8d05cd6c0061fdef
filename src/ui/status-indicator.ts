import { LitElement, css, html } from 'lit';
import { formatBytes } from '../site/format.js';
import { activity, type Activity } from './activity.js';
import { base } from './styles.js';

/** The compact "what is this browser doing" pill in the header. */
export class P2pStatus extends LitElement {
  static override properties = { tick: { state: true } };
  tick = 0;
  source: Activity = activity;
  private readonly onChange = () => this.tick++;

  static override styles = [
    base,
    css`
      :host { display: inline-block; }
      .pill { display: inline-flex; align-items: center; gap: 0.5rem; padding: 0.35rem 0.75rem; border-radius: 999px; border: 1px solid var(--line);
        background: var(--surface); font-size: 0.84rem; color: var(--muted); white-space: nowrap; }
      .dot { width: 0.55rem; height: 0.55rem; border-radius: 50%; background: var(--line-strong); flex: none; }
      .on .dot { background: var(--ok); box-shadow: 0 0 0 3px var(--ok-bg); }
      .on { color: var(--text); }
      .rates { font-variant-numeric: tabular-nums; }
      @media (max-width: 560px) { .rates { display: none; } }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.source.addEventListener('change', this.onChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.source.removeEventListener('change', this.onChange);
  }

  override render() {
    const s = this.source.status;
    const on = s.sitesSeeding > 0;
    const what = on ? `Sharing ${s.sitesSeeding} ${s.sitesSeeding === 1 ? 'site' : 'sites'} · ${s.peers} ${s.peers === 1 ? 'peer' : 'peers'}` : 'Not sharing right now';
    return html`<div class="pill ${on ? 'on' : ''}" role="status" aria-label="This browser: ${what}" data-seeding=${s.sitesSeeding} data-peers=${s.peers}>
      <span class="dot" aria-hidden="true"></span><span>${what}</span>
      <span class="rates" aria-hidden="true">↑ ${formatBytes(Math.round(s.upRate))}/s ↓ ${formatBytes(Math.round(s.downRate))}/s</span>
    </div>`;
  }
}

customElements.define('p2p-status', P2pStatus);
