import { LitElement, css, html, nothing } from 'lit';
import { formatDate } from '../site/format.js';
import { exportKey, importKey, isEncrypted, KeyFileError } from './key-file.js';
import { listKeys, loadKey, saveKey } from './keys-store.js';
import { errorText } from './messages.js';
import { currentManifest } from './publish.js';
import { siteUrlFor } from './site-url.js';

/**
 * The sites this browser publishes (one key each), with export and import of keys.
 * Keys never leave the app's origin except as a file the publisher asks for.
 */
export class P2pKeys extends LitElement {
  static override properties = { sites: { state: true }, message: { state: true }, error: { state: true }, needsPassphrase: { state: true } };
  sites: { address: string; createdAt: number; seq?: number }[] = [];
  message = '';
  error = '';
  needsPassphrase = false;
  private pendingImport?: string;

  static override styles = css`
    :host { display: block; }
    .warn { border-left: 4px solid #9a6700; padding: 0.4rem 0.8rem; background: color-mix(in srgb, #9a6700 8%, transparent); }
    ul { list-style: none; padding: 0; }
    li { border: 1px solid #d0d7de; border-radius: 10px; padding: 0.7rem 0.9rem; margin: 0.5rem 0; }
    code { word-break: break-all; font-size: 0.85rem; }
    .row { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; margin-top: 0.5rem; }
    button, label.button { font: inherit; padding: 0.4rem 0.9rem; border-radius: 8px; border: 1px solid #8c959f; background: transparent; color: inherit; cursor: pointer; }
    button:focus-visible, label.button:focus-within, input:focus-visible { outline: 3px solid #2f6fde; outline-offset: 2px; }
    input[type='file'] { position: absolute; opacity: 0; width: 1px; height: 1px; }
    input[type='password'] { font: inherit; padding: 0.4rem; }
    .error { color: #cf222e; }
    .empty { opacity: 0.75; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('refresh', () => void this.refresh());
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const keys = await listKeys();
    this.sites = keys;
    const withSeq = await Promise.all(keys.map(async (k) => ({ ...k, seq: (await currentManifest(location.origin, k.address).catch(() => undefined))?.seq })));
    this.sites = withSeq;
  }

  private passphrase(): string {
    return (this.renderRoot.querySelector('input[name="passphrase"]') as HTMLInputElement | null)?.value ?? '';
  }

  private async export(address: string): Promise<void> {
    const key = await loadKey(address);
    if (!key) return;
    const text = await exportKey(key, this.passphrase() || undefined);
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
      if (isEncrypted(text) && !this.passphrase()) {
        this.pendingImport = text;
        this.needsPassphrase = true;
        this.error = errorText('E_NEEDS_PASSPHRASE');
        return;
      }
      const key = await importKey(text, this.passphrase() || undefined);
      const address = await saveKey(key);
      this.pendingImport = undefined;
      this.needsPassphrase = false;
      this.message = `Key for ${address.slice(0, 12)}… imported. You can publish new versions of that site.`;
      await this.refresh();
      this.dispatchEvent(new CustomEvent('keys-changed', { bubbles: true, composed: true }));
    } catch (err) {
      this.error = err instanceof KeyFileError ? errorText(err.code) : errorText('E_BAD_KEY_FILE');
    }
  }

  override render() {
    return html`
      <p class="warn">Each site's key lives only in this browser. Whoever has it controls the site, and if it is lost nobody can publish that site again: export it and keep the file safe.</p>
      ${this.sites.length
        ? html`<ul aria-label="Your sites">
            ${this.sites.map(
              (s) => html`<li data-address=${s.address}>
                <div><code>${s.address}</code></div>
                <div>${s.seq ? `Version ${s.seq}` : 'Not published on this server'} · key created ${formatDate(s.createdAt)}</div>
                <div class="row">
                  <a href=${siteUrlFor(s.address)} target="_blank" rel="noopener">Open</a>
                  <button @click=${() => navigator.clipboard?.writeText(siteUrlFor(s.address))}>Copy link</button>
                  <button data-action="export" @click=${() => this.export(s.address)}>Export key</button>
                </div>
              </li>`,
            )}
          </ul>`
        : html`<p class="empty">No sites yet: publish one above, or import a key you exported.</p>`}
      <div class="row">
        <label>Passphrase (optional for export, needed for protected files) <input type="password" name="passphrase" autocomplete="new-password" /></label>
        <label class="button"
          >Import a key
          <input type="file" accept=".json,application/json" name="import" @change=${async (e: Event) => {
            const file = (e.target as HTMLInputElement).files?.[0];
            if (file) await this.import(await file.text());
          }} /></label
        >
        ${this.needsPassphrase ? html`<button @click=${() => this.import(this.pendingImport!)}>Import with this passphrase</button>` : nothing}
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
    `;
  }
}

customElements.define('p2p-keys', P2pKeys);
