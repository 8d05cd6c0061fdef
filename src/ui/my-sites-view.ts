import { LitElement, css, html, nothing } from 'lit';
import type { SiteAction } from '../bridge/frame-messages.js';
import { formatDate, shortAddress } from '../site/format.js';
import { formatSize } from './format-size.js';
import { activity } from './activity.js';
import { listKeys } from './keys-store.js';
import { manageSite } from './manage-site.js';
import { SiteActionError } from '../bridge/errors.js';
import { errorText } from './messages.js';
import { currentManifest } from './publish.js';
import { seeding } from './seeding.js';
import { siteUrlFor } from './site-url.js';
import { base } from './styles.js';
import { forgetVisit, listVisits, replaceVisit, type VisitRecord } from '../bridge/visits-store.js';

interface PublishedSite {
  address: string;
  createdAt: number;
  /** As published from here, else as a visit of the site reported it. */
  title?: string;
  seq?: number;
  size?: number;
}

/**
 * My sites: the sites this browser publishes (it holds their keys) and the sites it
 * visited, as their pages last reported them, with what each is doing now.
 */
export class P2pMySites extends LitElement {
  static override properties = { published: { state: true }, visited: { state: true }, error: { state: true }, message: { state: true }, busy: { state: true }, tick: { state: true } };
  published: PublishedSite[] = [];
  visited: VisitRecord[] = [];
  error = '';
  message = '';
  /** Address of the site an action is running for. */
  busy = '';
  tick = 0;
  private readonly onActivity = () => void this.refreshVisits();
  private readonly onSeeding = () => this.tick++;

  static override styles = [
    base,
    css`
      section + section { margin-top: 1.5rem; }
      .head { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; flex-wrap: wrap; margin-bottom: 0.6rem; }
      ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.75rem; }
      li.site { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: 0.95rem 1.1rem; }
      .title { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; font-weight: 600; }
      .title .name { overflow-wrap: anywhere; }
      dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(8.5rem, 1fr)); gap: 0.35rem 1rem; margin: 0.7rem 0; }
      dt { font-size: 0.75rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
      dd { margin: 0; font-variant-numeric: tabular-nums; }
      .row button, .row .button { padding: 0.4rem 0.75rem; font-size: 0.875rem; }
      .empty { text-align: center; padding: 1.6rem 1rem; color: var(--muted); background: var(--surface); border: 1px dashed var(--line-strong); border-radius: var(--radius); }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    activity.addEventListener('visit', this.onActivity);
    activity.addEventListener('change', this.onSeeding);
    seeding.addEventListener('change', this.onSeeding);
    document.addEventListener('keys-changed', () => void this.refresh());
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    activity.removeEventListener('visit', this.onActivity);
    activity.removeEventListener('change', this.onSeeding);
    seeding.removeEventListener('change', this.onSeeding);
  }

  async refresh(): Promise<void> {
    await this.refreshVisits();
    const visited = new Map(this.visited.map((v) => [v.address, v.title]));
    const keys = (await listKeys()).map((k) => ({ ...k, title: k.title ?? visited.get(k.address) }));
    this.published = keys;
    this.published = await Promise.all(
      keys.map(async (k) => {
        const manifest = await currentManifest(location.origin, k.address).catch(() => undefined);
        return { ...k, seq: manifest?.seq, size: manifest?.files.reduce((n, f) => n + f.size, 0) };
      }),
    );
  }

  private async refreshVisits(): Promise<void> {
    this.visited = await listVisits();
  }

  private async copy(address: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(siteUrlFor(address));
      this.message = 'Link copied.';
    } catch {
      this.message = `Copy this link: ${siteUrlFor(address)}`;
    }
  }

  private async act(record: VisitRecord, action: SiteAction): Promise<void> {
    this.error = '';
    this.message = '';
    this.busy = record.address;
    try {
      const summary = await manageSite(record.address, action);
      if (action === 'remove') {
        await forgetVisit(record.address);
        this.message = `${record.title ?? shortAddress(record.address)} was removed from this browser’s cache.`;
      } else {
        // The manage page knows the cache, not the page's title: keep the one reported.
        await replaceVisit({ ...record, ...summary, title: summary?.title ?? record.title, pinned: action === 'pin', seenAt: Date.now() });
        this.message = action === 'pin' ? 'Pinned: it stays in the cache and is never evicted.' : 'Unpinned: it may be evicted when the cache is full.';
      }
      await this.refreshVisits();
    } catch (err) {
      this.error = err instanceof SiteActionError ? errorText(err.code) : errorText('E_MANAGE_FAILED');
    } finally {
      this.busy = '';
    }
  }

  private renderPublished(site: PublishedSite) {
    const seeded = seeding.get(site.address);
    return html`<li class="site" data-address=${site.address} data-kind="published">
      <div class="title">
        ${site.title ? html`<span class="name" data-field="title">${site.title}</span><span class="small muted mono">${shortAddress(site.address)}</span>` : html`<span class="name mono">${shortAddress(site.address)}</span>`}
        ${seeded ? (seeding.sharing.upload ? html`<span class="badge live">Seeding from this tab</span>` : html`<span class="badge" data-state="not-sharing">Not sharing now (settings)</span>`) : nothing}
      </div>
      <dl>
        <div><dt>Version</dt><dd data-field="seq">${site.seq ?? '—'}</dd></div>
        <div><dt>Size</dt><dd>${site.size !== undefined ? formatSize(site.size) : '—'}</dd></div>
        <div><dt>Peers now</dt><dd>${seeded ? seeded.transfer.stats.peers : '—'}</dd></div>
        <div><dt>Uploaded</dt><dd data-field="uploaded">${seeded ? formatSize(seeded.transfer.stats.uploaded) : '—'}</dd></div>
        <div><dt>Key made</dt><dd>${formatDate(site.createdAt)}</dd></div>
      </dl>
      ${site.seq === undefined ? html`<p class="small muted">Not published on this server (yet).</p>` : nothing}
      <div class="row">
        <a class="button" href=${siteUrlFor(site.address)} target="_blank" rel="noopener">Open</a>
        <button @click=${() => this.copy(site.address)}>Copy link</button>
        <button data-action="update" @click=${() => this.dispatchEvent(new CustomEvent('update-site', { detail: site.address, bubbles: true, composed: true }))}>Publish a new version</button>
        ${seeded ? html`<button data-action="stop" @click=${() => seeding.stop(site.address)}>Stop seeding</button>` : nothing}
      </div>
    </li>`;
  }

  private renderVisited(v: VisitRecord) {
    const live = activity.openSites().find((s) => s.address === v.address);
    const busy = this.busy === v.address;
    return html`<li class="site" data-address=${v.address} data-kind="visited">
      <div class="title">
        <span class="name">${v.title || shortAddress(v.address)}</span>
        ${live ? html`<span class="badge live">Open now</span>` : nothing}
        ${v.pinned ? html`<span class="badge accent">Pinned</span>` : nothing}
        ${v.evictedAt ? html`<span class="badge" data-state="evicted" title="Removed ${formatDate(v.evictedAt)} to stay within the cache limit; it opens again from peers or the server.">Evicted to fit the cache</span>` : nothing}
      </div>
      ${v.title ? html`<div class="small muted mono">${shortAddress(v.address)}</div>` : nothing}
      <dl>
        <div><dt>Version</dt><dd data-field="seq">${v.seq ?? '—'}</dd></div>
        <div><dt>On disk</dt><dd>${v.size !== undefined ? formatSize(v.size) : '—'}</dd></div>
        <div><dt>Peers now</dt><dd>${live ? live.peers : '—'}</dd></div>
        <div><dt>Down / up</dt><dd>${formatSize(v.downloaded ?? 0)} / ${formatSize(v.uploaded ?? 0)}</dd></div>
        <div><dt>Last visit</dt><dd>${v.lastVisit ? formatDate(v.lastVisit) : formatDate(v.seenAt)}</dd></div>
      </dl>
      <div class="row">
        <a class="button" href=${siteUrlFor(v.address)} target="_blank" rel="noopener">Open</a>
        <button @click=${() => this.copy(v.address)}>Copy link</button>
        <button data-action="pin" ?disabled=${busy || v.seq === undefined} @click=${() => this.act(v, v.pinned ? 'unpin' : 'pin')}>${v.pinned ? 'Unpin' : 'Pin'}</button>
        <button data-action="remove" class="danger" ?disabled=${busy} @click=${() => this.act(v, 'remove')}>${v.evictedAt ? 'Forget' : 'Remove from cache'}</button>
      </div>
    </li>`;
  }

  override render() {
    return html`
      <div aria-live="polite">
        ${this.error ? html`<p class="note error" role="alert">${this.error}</p>` : nothing}
        ${this.message ? html`<p class="note ok" role="status">${this.message}</p>` : nothing}
      </div>
      <section aria-labelledby="pub-h">
        <div class="head"><h2 id="pub-h">Sites I publish</h2><span class="small muted">Keys for these live in this browser.</span></div>
        ${this.published.length
          ? html`<ul aria-label="Sites I publish">${this.published.map((s) => this.renderPublished(s))}</ul>`
          : html`<p class="empty">You have not published a site from this browser yet. Drop a folder on the Publish page, or import a key.</p>`}
      </section>
      <section aria-labelledby="visit-h">
        <div class="head"><h2 id="visit-h">Sites I visited</h2><span class="small muted">Each site keeps its files in its own storage; the least recently visited unpinned ones make room when the cache is full.</span></div>
        ${this.visited.length
          ? html`<ul aria-label="Sites I visited">${this.visited.map((v) => this.renderVisited(v))}</ul>`
          : html`<p class="empty">No visited sites yet. Sites you open appear here, with what they store and share.</p>`}
      </section>
    `;
  }
}

customElements.define('p2p-my-sites', P2pMySites);
