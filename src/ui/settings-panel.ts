import { LitElement, css, html } from 'lit';
import { DEFAULT_SETTINGS, effectiveQuota, type ResourceSettings, type SharingMode } from '../swarm/governor.js';
import { formatBytes } from '../site/format.js';
import { loadSettings, saveSettings } from '../settings/settings-store.js';
import { formatIceServersText, parseIceServersText } from '../settings/ice-servers-text.js';
import { cachedSites, enforceQuotaExclusive } from '../bridge/cache-quota.js';
import { sitesShareAppSite } from '../bridge/site-frame.js';
import { listVisits } from '../bridge/visits-store.js';
import { activity, type ActivityStatus } from './activity.js';

/**
 * Resource and privacy settings: each control with what it means, a one-click
 * "stop sharing", and a plain-language account of what others can see.
 */
export class P2pSettingsPanel extends LitElement {
  static override properties = { settings: { state: true }, message: { state: true }, usage: { state: true }, now: { state: true }, browserQuota: { state: true } };
  /** What this browser does right now, shown beside each limit. */
  now: ActivityStatus = activity.status;
  private readonly onActivity = () => (this.now = { ...activity.status });
  private readonly onVisit = () => void this.measure();
  settings?: ResourceSettings;
  message = '';
  /** Bytes the visited sites hold in their caches, as they last reported them. */
  usage?: { used: number; sites: number };
  /** What the browser grants this origin, which scales the default cache size down. */
  browserQuota?: number;

  static override styles = css`
    :host { display: block; }
    section { border: 1px solid var(--line, #d0d7de); border-radius: 10px; padding: 1rem 1.2rem; margin: 1rem 0; }
    h2 { font-size: 1.1rem; margin: 0 0 0.75rem; }
    h3 { font-size: 1rem; margin: 1rem 0 0.4rem; }
    label { display: grid; grid-template-columns: 1fr auto; gap: 0.5rem; align-items: center; padding: 0.4rem 0; }
    .hint { grid-column: 1 / -1; font-size: 0.85rem; opacity: 0.75; margin-top: -0.2rem; }
    input[type='number'] { font: inherit; padding: 0.3rem 0.4rem; width: 9rem; }
    textarea { font: 0.9rem ui-monospace, monospace; padding: 0.3rem 0.4rem; width: min(26rem, 55vw); }
    select { font: inherit; padding: 0.3rem 0.4rem; max-width: 100%; }
    .stop { font: inherit; font-weight: 600; padding: 0.55rem 1.1rem; border-radius: 8px; border: 0; cursor: pointer; background: #cf222e; color: #fff; }
    .stop.resume { background: #1a7f37; }
    .stop:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #2f6fde; outline-offset: 2px; }
    meter { width: 100%; height: 0.8rem; }
    [role='status'] { min-height: 1.4em; font-size: 0.9rem; }
    dl { margin: 0; } dt { font-weight: 600; margin-top: 0.6rem; } dd { margin: 0.15rem 0 0; }
  `;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    activity.removeEventListener('change', this.onActivity);
    activity.removeEventListener('visit', this.onVisit);
  }

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    activity.addEventListener('change', this.onActivity);
    activity.addEventListener('visit', this.onVisit);
    this.settings = await loadSettings();
    this.browserQuota = (await navigator.storage?.estimate?.().catch(() => undefined))?.quota;
    await this.measure();
  }

  private async measure(): Promise<void> {
    const sites = cachedSites(await listVisits().catch(() => []));
    this.usage = { used: sites.reduce((n, s) => n + s.bytes, 0), sites: sites.length };
  }

  private async change(changes: Partial<ResourceSettings>): Promise<void> {
    const before = this.settings?.storageQuota;
    try {
      this.settings = await saveSettings(changes);
      this.message = 'Saved. Open sites apply it at once.';
    } catch (err) {
      this.message = err instanceof RangeError ? `Not saved: ${err.message}` : 'Not saved: the browser refused to store settings.';
      return;
    }
    if (this.settings.storageQuota < (before ?? Infinity) && sitesShareAppSite(location)) {
      // A smaller cache applies now, not only when a site next grows.
      try {
        const evicted = await enforceQuotaExclusive('');
        if (evicted.length) this.message = `Saved. ${evicted.length} least recently visited ${evicted.length === 1 ? 'site was' : 'sites were'} removed from the cache to fit.`;
      } catch (err) {
        console.warn('[p2p] could not apply the cache quota', err);
        this.message = 'Saved. The cache could not be trimmed to the new size now; it will be when a site is next opened.';
      }
      await this.measure();
    }
  }

  private changeIceServers(text: string): Promise<void> | void {
    try {
      return this.change({ iceServers: parseIceServersText(text) });
    } catch (err) {
      this.message = `Not saved: ${(err as RangeError).message}`;
    }
  }

  /** Number inputs show kB/s and MB; -1 (no cap) shows as an empty field. */
  private rateInput(field: 'uploadLimit' | 'downloadLimit', label: string, hint: string) {
    const value = this.settings![field];
    const rate = field === 'uploadLimit' ? this.now.upRate : this.now.downRate;
    return html`<label
      >${label}
      <input
        type="number"
        min="1"
        step="1"
        placeholder="no limit"
        .value=${value < 0 ? '' : String(Math.round(value / 1000))}
        aria-describedby=${`${field}-hint`}
        @change=${(e: Event) => {
          const text = (e.target as HTMLInputElement).value.trim();
          void this.change({ [field]: text === '' ? -1 : Math.round(Number(text) * 1000) });
        }}
      />
      <span class="hint" id=${`${field}-hint`}><strong data-now=${field}>Now ${formatBytes(rate)}/s.</strong> ${hint}</span></label
    >`;
  }

  override render() {
    const s = this.settings;
    if (!s) return html`<p>Loading settings…</p>`;
    const paused = s.paused || s.sharing !== 'share';
    return html`
      <section aria-labelledby="sharing-h">
        <h2 id="sharing-h">Sharing</h2>
        <button class="stop ${s.paused ? 'resume' : ''}" data-action="toggle-sharing" @click=${() => this.change({ paused: !s.paused })}>
          ${s.paused ? 'Resume sharing' : 'Stop sharing'}
        </button>
        <p>${paused ? 'This browser is not uploading to anyone right now.' : 'Sites you have open are shared with their next visitors, within the limits below.'}</p>
        <label
          >How this browser takes part
          <select
            name="sharing"
            .value=${s.sharing}
            @change=${(e: Event) => this.change({ sharing: (e.target as HTMLSelectElement).value as SharingMode })}
          >
            <option value="share">Download and share</option>
            <option value="download-only">Download only, never share</option>
            <option value="origin-only">Origin only, no peers at all</option>
          </select>
          <span class="hint">"Origin only" opens no peer connection, so no peer learns your IP address; sites load from the origin server.</span></label
        >
      </section>
      <section aria-labelledby="limits-h">
        <h2 id="limits-h">Limits</h2>
        ${this.rateInput('uploadLimit', 'Upload limit (kB/s)', `Summed over all sites. Default ${DEFAULT_SETTINGS.uploadLimit / 1000} kB/s, a small share of a typical uplink.`)}
        ${this.rateInput('downloadLimit', 'Download limit (kB/s)', 'Empty means no limit: you asked for the site and want it now.')}
        <label
          >Peer connections
          <input type="number" min="1" max="100" name="maxConnections" .value=${String(s.maxConnections)} @change=${(e: Event) => this.change({ maxConnections: Number((e.target as HTMLInputElement).value) })} />
          <span class="hint"><strong data-now="peers">Now ${this.now.peers}.</strong> At most this many at once over all sites.</span></label
        >
        <label
          >Sites shared at once
          <input type="number" min="0" max="50" name="maxSeededSites" .value=${String(s.maxSeededSites)} @change=${(e: Event) => this.change({ maxSeededSites: Number((e.target as HTMLInputElement).value) })} />
          <span class="hint"><strong data-now="sites">Now ${this.now.sitesSeeding}.</strong> Only sites open in a tab are ever shared; the most recently opened first.</span></label
        >
        <label
          >Cache for sites (MB)
          <input type="number" min="1" name="storageQuota" .value=${String(Math.round(s.storageQuota / 1e6))} @change=${(e: Event) => this.change({ storageQuota: Number((e.target as HTMLInputElement).value) * 1e6 })} />
          <span class="hint"
            >Least recently visited sites that are not pinned make room first.${s.storageQuota === DEFAULT_SETTINGS.storageQuota && effectiveQuota(s, this.browserQuota) < s.storageQuota
              ? ` This browser grants ${formatBytes(this.browserQuota ?? 0)}, so the default is a tenth of that: ${formatBytes(effectiveQuota(s, this.browserQuota))}.`
              : ''}</span
          ></label
        >
        ${this.usage
          ? html`<p>${this.usage.sites} cached ${this.usage.sites === 1 ? 'site uses' : 'sites use'} ${formatBytes(this.usage.used)} of ${formatBytes(effectiveQuota(s, this.browserQuota))}. <meter min="0" max=${effectiveQuota(s, this.browserQuota)} .value=${this.usage.used} aria-label="Cache used"></meter></p>`
          : ''}
        <label
          >Pause on a metered connection
          <input type="checkbox" .checked=${s.pauseOnMetered} @change=${(e: Event) => this.change({ pauseOnMetered: (e.target as HTMLInputElement).checked })} />
        </label>
        <label
          >Pause on a low battery
          <input type="checkbox" .checked=${s.pauseOnLowBattery} @change=${(e: Event) => this.change({ pauseOnLowBattery: (e.target as HTMLInputElement).checked })} />
        </label>
        <label
          >Only relayed connections (TURN)
          <input type="checkbox" .checked=${s.relayOnly} @change=${(e: Event) => this.change({ relayOnly: (e.target as HTMLInputElement).checked })} />
          <span class="hint">Peers then see the relay's address instead of yours. Uses the TURN relay of this server's operator, when it runs one, unless you named your own; with no relay at all, sites load from the origin server.</span></label
        >
        <label
          >Your own ICE servers (STUN/TURN)
          <textarea
            name="iceServers"
            rows="2"
            spellcheck="false"
            placeholder="stun:stun.example.org:3478&#10;turn:turn.example.org:3478 user password"
            aria-describedby="ice-hint"
            .value=${formatIceServersText(s.iceServers)}
            @change=${(e: Event) => this.changeIceServers((e.target as HTMLTextAreaElement).value)}
          ></textarea>
          <span class="hint" id="ice-hint">One per line: a URL and, for TURN, its user name and password. Empty uses this server's, when its operator runs any. Your sites' pages receive these to follow them.</span></label
        >
      </section>
      <div role="status" aria-live="polite">${this.message}</div>
      <section aria-labelledby="privacy-h">
        <h2 id="privacy-h">What others can see</h2>
        <dl>
          <dt>Peers</dt>
          <dd>Peers you exchange files with learn your IP address and which site (and version) you are fetching or sharing. They cannot see other sites you visit or anything in your browser.</dd>
          <dt>The tracker</dt>
          <dd>The signaling server sees your IP address and the info hashes of the sites you have open, to introduce you to peers. It keeps no log of IP addresses unless its operator turns that on.</dd>
          <dt>STUN and TURN servers</dt>
          <dd>To connect you to peers behind routers, your browser may ask the operator's STUN server (or your own) for your public address: it sees your IP address and port, nothing else. When no direct connection can be made, and always with "only relayed connections", what you exchange with peers passes through the TURN relay: it sees your IP address and the peer's, and how much is sent and when, but not what, because WebRTC encrypts it end to end (DTLS). The relay's credentials are short-lived and asked for only when peers are used, never in "origin only" mode.</dd>
          <dt>The origin server</dt>
          <dd>When it serves files to you it sees your IP address and which files of which site, like any web server. While a site is open, its page tells the server now and then how many bytes it received from peers and from the server and how many it sent, so the operator can see how much peers carry; nothing else is in those reports. An open page also keeps one request open to hear of new versions at once.</dd>
          <dt>Sites</dt>
          <dd>Each site runs on its own origin: it cannot read your keys or other sites' data. Its pages do receive these sharing settings, ICE servers included, so that they can follow them.</dd>
          <dt>Other websites using the loader</dt>
          <dd>Browsers keep embedded pages of other websites apart, so those websites often cannot read these settings: they use the defaults, or the copy saved the last time they could.</dd>
          <dt>This browser</dt>
          <dd>The app keeps a list of the sites you visited (address, title, version, size, when) for “My sites” and the cache limit. It stays in this browser; remove a site to forget it.</dd>
        </dl>
      </section>
    `;
  }
}

customElements.define('p2p-settings-panel', P2pSettingsPanel);
