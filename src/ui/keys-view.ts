import { LitElement, css, html, nothing } from 'lit';
import { formatDate } from '../site/format.js';
import { isKeyFileError } from '../keys/errors.js';
import { describeKeyFile, parseKeyFile, serializeKeyFile } from '../keys/key-file.js';
import { listKeys, loadKey, saveKey } from './keys-store.js';
import { listVisits } from '../bridge/visits-store.js';
import { errorText } from './messages.js';
import { currentManifest } from './publish.js';
import { shortAddress } from '../site/format.js';
import { base } from './styles.js';

/**
 * The sites this browser publishes (one key each), with export and import of keys.
 * Keys never leave the app's origin except as a file the publisher asks for.
 */
export class P2pKeys extends LitElement {
  static override properties = { sites: { state: true }, message: { state: true }, error: { state: true }, needsPassphrase: { state: true }, confirmUnprotected: { state: true } };
  sites: { address: string; createdAt: number; seq?: number; title?: string }[] = [];
  message = '';
  error = '';
  needsPassphrase = false;
  /** The key whose export without a passphrase waits for the publisher to confirm it. */
  confirmUnprotected?: string;
  private pendingImport?: string;

  static override styles = [
    base,
    css`
      .warn { display: flex; gap: 0.75rem; align-items: flex-start; margin: 0 0 1rem; }
      .warn strong { display: block; }
      ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.6rem; }
      li { display: flex; gap: 0.75rem; align-items: center; justify-content: space-between; flex-wrap: wrap; border: 1px solid var(--line); border-radius: 10px; padding: 0.7rem 0.9rem; background: var(--field); }
      li .who { min-width: 0; }
      .name { display: flex; flex-wrap: wrap; gap: 0.2rem 0.6rem; align-items: baseline; }
      .site-title { font-weight: 600; overflow-wrap: anywhere; }
      .fields { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.75rem; align-items: end; margin-top: 1rem; }
      .fields label.field { display: flex; flex-direction: column; gap: 0.3rem; font-size: 0.875rem; color: var(--muted); }
      @media (max-width: 560px) { .fields { grid-template-columns: minmax(0, 1fr); } }
      .empty { color: var(--muted); }
      .confirm { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; max-width: 32rem; }
      .confirm p { margin: 0; flex-basis: 100%; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('refresh', () => void this.refresh());
    void this.refresh();
  }

  async refresh(): Promise<void> {
    // A title published from here, else the one a visit of the site reported (an imported key).
    const visited = new Map((await listVisits().catch(() => [])).map((v) => [v.address, v.title]));
    const keys = (await listKeys()).map((k) => ({ ...k, title: k.title ?? visited.get(k.address) }));
    this.sites = keys;
    const withSeq = await Promise.all(keys.map(async (k) => ({ ...k, seq: (await currentManifest(location.origin, k.address).catch(() => undefined))?.seq })));
    this.sites = withSeq;
  }

  private passphrase(): string {
    return (this.renderRoot.querySelector('input[name="passphrase"]') as HTMLInputElement | null)?.value ?? '';
  }

  private async export(address: string, confirmed = false): Promise<void> {
    // Anyone holding an unprotected key file can publish as the site: ask first.
    if (!this.passphrase() && !confirmed) {
      this.confirmUnprotected = address;
      this.message = '';
      return;
    }
    this.confirmUnprotected = undefined;
    const key = await loadKey(address);
    if (!key) return;
    const text = await serializeKeyFile(key, { passphrase: this.passphrase() });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    link.download = `${address.slice(0, 12)}.p2psite-key.json`;
    link.click();
    URL.revokeObjectURL(link.href);
    this.message = this.passphrase() ? 'Key exported, protected by your passphrase.' : 'Key exported without a passphrase: keep the file somewhere safe.';
  }

  private async import(text: string): Promise<void> {
    this.error = '';
    this.message = '';
    try {
      if (describeKeyFile(text).encrypted && !this.passphrase()) {
        this.pendingImport = text;
        this.needsPassphrase = true;
        this.error = errorText('E_NEEDS_PASSPHRASE');
        return;
      }
      const key = await parseKeyFile(text, { passphrase: this.passphrase() });
      const address = await saveKey(key);
      this.pendingImport = undefined;
      this.needsPassphrase = false;
      this.message = `Key for ${address.slice(0, 12)}… imported. You can publish new versions of that site.`;
      await this.refresh();
      this.dispatchEvent(new CustomEvent('keys-changed', { bubbles: true, composed: true }));
    } catch (err) {
      this.error = isKeyFileError(err) ? errorText(err.code) : errorText('E_NOT_KEY_FILE');
    }
  }

  override render() {
    return html`
      <div class="card note warning warn" role="note">
        <span aria-hidden="true">⚠</span>
        <span><strong>Losing a key means losing the site.</strong> Each site’s key lives only in this browser. Whoever has it controls the site, and without it nobody can publish that site again. Export each key and keep the file somewhere safe.</span>
      </div>
      <section class="card" aria-labelledby="keys-h">
        <h2 id="keys-h">Keys in this browser</h2>
        ${this.sites.length
          ? html`<ul aria-label="Keys">
              ${this.sites.map(
                (s) => html`<li data-address=${s.address}>
                  <div class="who">
                    <div class="name">${s.title ? html`<span class="site-title" data-field="title">${s.title}</span>` : nothing}<span class="mono" title=${s.address}>${shortAddress(s.address)}</span></div>
                    <div class="small muted">${s.seq ? `Version ${s.seq}` : 'Not published on this server'} · made ${formatDate(s.createdAt)}</div>
                  </div>
                  ${this.confirmUnprotected === s.address
                    ? html`<div class="confirm" role="alertdialog" aria-label="Export without a passphrase?">
                        <p class="small">No passphrase: anyone who gets this file can publish as this site. Enter a passphrase below to protect it, or</p>
                        <button data-action="export-unprotected" @click=${() => this.export(s.address, true)}>Export without a passphrase</button>
                        <button class="quiet" @click=${() => (this.confirmUnprotected = undefined)}>Cancel</button>
                      </div>`
                    : html`<button data-action="export" @click=${() => this.export(s.address)}>Export key</button>`}
                </li>`,
              )}
            </ul>`
          : html`<p class="empty">No keys yet: publishing a new site makes one, or import a key you exported.</p>`}
        <div class="fields">
          <label class="field"
            >Passphrase — protects an exported key; needed to import a protected one
            <input type="password" name="passphrase" autocomplete="new-password" placeholder="Optional for export" />
          </label>
          <div class="row">
            <label class="button primary"
              >Import a key
              <input type="file" accept=".json,application/json" name="import" @change=${async (e: Event) => {
                const input = e.target as HTMLInputElement;
                const file = input.files?.[0];
                input.value = '';
                if (file) await this.import(await file.text());
              }} /></label
            >
            ${this.needsPassphrase ? html`<button @click=${() => this.import(this.pendingImport!)}>Import with this passphrase</button>` : nothing}
          </div>
        </div>
        <div aria-live="polite">
          ${this.error ? html`<p class="note error" role="alert">${this.error}</p>` : nothing}
          ${this.message ? html`<p class="note ok" role="status">${this.message}</p>` : nothing}
        </div>
      </section>
    `;
  }
}

customElements.define('p2p-keys', P2pKeys);
