import { LitElement, css, html } from 'lit';
import { answerSettingsQueries } from '../settings/settings-store.js';
import './settings-panel.js';
import './publish-view.js';
import './keys-view.js';
import { addressFromInput, siteUrlFor } from './site-url.js';

/**
 * The app shell: open a site by its address or link, publish, keys, and the settings.
 * While the app is open it also answers site pages asking for the visitor's settings.
 */
class P2pApp extends LitElement {
  static override properties = { error: { state: true } };
  error = '';
  private stopAnswering?: () => void;

  static override styles = css`
    :host { display: block; max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; }
    h1 { font-size: 1.5rem; margin: 0 0 1rem; }
    h2 { font-size: 1.2rem; margin: 2rem 0 0.6rem; }
    form { display: flex; gap: 0.5rem; flex-wrap: wrap; }
    input { flex: 1 1 18rem; font: inherit; padding: 0.55rem 0.7rem; border-radius: 8px; border: 1px solid #8c959f; font-family: ui-monospace, monospace; font-size: 0.9rem; }
    button { font: inherit; padding: 0.55rem 1.1rem; border-radius: 8px; border: 0; background: #2f6fde; color: #fff; cursor: pointer; }
    input:focus-visible, button:focus-visible { outline: 3px solid #2f6fde; outline-offset: 2px; }
    [role='alert'] { color: #cf222e; margin: 0.4rem 0 0; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopAnswering = answerSettingsQueries();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopAnswering?.();
  }

  private visit(event: SubmitEvent): void {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('address') as HTMLInputElement;
    const address = addressFromInput(input.value);
    if (!address) {
      this.error = 'That is not a site address: an address is 52 letters a–z and digits 2–7, or a link that starts with one.';
      return;
    }
    location.href = siteUrlFor(address);
  }

  override render() {
    return html`<main>
      <h1>P2P Sites</h1>
      <form @submit=${this.visit} aria-label="Open a site">
        <input name="address" aria-label="Site address or link" placeholder="Site address or link" autocomplete="off" spellcheck="false" @input=${() => (this.error = '')} />
        <button>Open</button>
      </form>
      ${this.error ? html`<p role="alert">${this.error}</p>` : ''}
      <h2>Publish</h2>
      <p2p-publish @published=${() => this.renderRoot.querySelector('p2p-keys')?.dispatchEvent(new Event('refresh'))}></p2p-publish>
      <h2>Your sites and keys</h2>
      <p2p-keys></p2p-keys>
      <h2>Settings</h2>
      <p2p-settings-panel></p2p-settings-panel>
    </main>`;
  }
}

customElements.define('p2p-app', P2pApp);
