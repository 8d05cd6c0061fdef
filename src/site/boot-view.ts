import { LitElement, css, html, nothing } from 'lit';
import type { EngineState } from './engine.js';
import { describeSiteError } from './errors.js';
import { formatBytes, shortAddress } from './format.js';

/**
 * The loading page a visitor sees the first time they open a site: what is happening,
 * where the bytes come from, and what to do if it fails.
 */
export class P2pBoot extends LitElement {
  static override properties = { state: { attribute: false } };
  state?: EngineState;

  static override styles = css`
    :host { display: grid; place-items: center; min-height: 100vh; padding: 1rem; box-sizing: border-box; }
    .card { width: min(30rem, 100%); }
    h1 { font-size: 1.25rem; margin: 0 0 0.25rem; font-weight: 600; }
    .address { font-family: ui-monospace, monospace; font-size: 0.85rem; opacity: 0.7; word-break: break-all; }
    ol { list-style: none; padding: 0; margin: 1.25rem 0; }
    li { display: flex; gap: 0.6rem; align-items: baseline; padding: 0.2rem 0; opacity: 0.45; }
    li.active, li.done { opacity: 1; }
    li.done::before { content: '✓'; color: #1a7f37; }
    li.active::before { content: '●'; color: #0969da; animation: pulse 1s infinite alternate; }
    li.todo::before { content: '○'; }
    @keyframes pulse { to { opacity: 0.3; } }
    progress { width: 100%; height: 0.6rem; accent-color: #0969da; }
    .numbers { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; font-size: 0.9rem; opacity: 0.8; margin-top: 0.5rem; }
    .error { border-left: 4px solid #cf222e; padding: 0.5rem 0.9rem; background: color-mix(in srgb, #cf222e 8%, transparent); border-radius: 4px; }
    .error h2 { font-size: 1.05rem; margin: 0 0 0.25rem; }
    .error p { margin: 0; }
    .stalled { margin: 0.9rem 0 0; font-size: 0.9rem; }
    .open-elsewhere { font-size: 0.9rem; word-break: break-all; }
    button { font: inherit; margin-top: 0.9rem; padding: 0.4rem 1rem; border-radius: 6px; border: 1px solid currentColor; background: transparent; color: inherit; cursor: pointer; }
  `;

  private lastBytes = -1;
  private lastProgressAt = Date.now();
  private stallTimer?: ReturnType<typeof setTimeout>;

  /** True when a transfer with no peer has moved no byte for STALL_MS (re-rendered when it gets there). */
  private stalled(state: EngineState): boolean {
    // Counted from when the version is known; the engine's counters may not have come yet.
    if (state.phase !== 'fetching' || !state.manifest) return false;
    const stats = state.stats;
    const done = stats?.bytesDone ?? 0;
    if (stats && done >= stats.bytesTotal) return false;
    if (done !== this.lastBytes) {
      this.lastBytes = done;
      this.lastProgressAt = Date.now();
      clearTimeout(this.stallTimer);
      this.stallTimer = setTimeout(() => this.requestUpdate(), STALL_MS + 50);
    }
    return (stats?.peers ?? 0) === 0 && Date.now() - this.lastProgressAt >= STALL_MS;
  }

  override render() {
    const s = this.state;
    if (!s) return html`<div class="card"><h1>Opening site…</h1></div>`;
    if (s.error) {
      const { title, advice } = describeSiteError(s.error.code);
      return html`<div class="card" role="alert">
        <div class="error"><h2>${title}</h2><p>${advice}</p></div>
        <p class="address">${s.address}</p>
        ${s.error.code === 'E_STORAGE_BLOCKED' || s.error.code === 'E_NO_SERVICE_WORKER'
          ? html`<p class="open-elsewhere">Link to open in a normal window: <a data-p2p="site-link" href=${location.href}>${location.href}</a></p>`
          : nothing}
        ${s.error.code === 'E_DENIED' ? nothing : html`<button @click=${() => location.reload()}>Try again</button>`}
      </div>`;
    }
    const stats = s.stats;
    const pct = stats && stats.bytesTotal > 0 ? Math.floor((100 * stats.bytesDone) / stats.bytesTotal) : 0;
    const stalled = this.stalled(s);
    const resolved = Boolean(s.manifest);
    const step = (done: boolean, active: boolean, text: string) => html`<li class=${done ? 'done' : active ? 'active' : 'todo'}>${text}</li>`;
    return html`<div class="card" aria-live="polite">
      <h1>Loading site</h1>
      <div class="address" title=${s.address}>${shortAddress(s.address)}</div>
      <ol>
        ${step(resolved, !resolved, resolved ? `Found version ${s.manifest!.seq}, signature verified` : 'Finding the newest signed version')}
        ${step(s.phase === 'ready', resolved, stats ? `Fetching ${stats.filesTotal} files (${formatBytes(stats.bytesTotal)}) and checking each against the signature` : 'Fetching files')}
        ${step(false, s.phase === 'ready', 'Opening the site')}
      </ol>
      ${stats
        ? html`<progress max="100" value=${pct} aria-label="Download progress"></progress>
            <div class="numbers">
              <span>${pct}%</span>
              <span>${stats.filesDone} of ${stats.filesTotal} files</span>
              <span>${stats.peers} ${stats.peers === 1 ? 'peer' : 'peers'}</span>
              <span>${formatBytes(stats.fromPeers)} from peers</span>
              <span>${formatBytes(stats.fromOrigin)} from the origin</span>
            </div>`
        : nothing}
      ${stalled
        ? html`<p class="stalled" role="status" data-p2p="no-source">Nothing has arrived for ${Math.round(STALL_MS / 1000)} seconds: no one who has this site is online, and the server does not serve its files. It opens as soon as someone who has it comes online; you can leave this tab open.</p>`
        : nothing}
    </div>`;
  }
}

/** How long a loading site may move no byte, with no peer, before the page says nobody has it. */
const STALL_MS = 10_000;

customElements.define('p2p-boot', P2pBoot);
