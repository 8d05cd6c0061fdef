import { LitElement, css, html } from 'lit';
import { isAddress } from '../core/index.js';
import { answerSettingsQueries } from '../settings/settings-store.js';
import './settings-panel.js';

/**
 * The app shell: open a site by its address or URL, and the settings. While the app is
 * open it also answers site pages asking for the visitor's settings.
 */
export function siteUrlFor(address: string, here: Location = location): string {
  return `${here.protocol}//${address}.${here.hostname}${here.port ? `:${here.port}` : ''}/`;
}

/** Accepts a bare address or any URL whose first host label is an address. */
export function addressFromInput(text: string): string | undefined {
  const trimmed = text.trim().toLowerCase();
  const bare: boolean = isAddress(trimmed);
  if (bare) return trimmed;
  try {
    const label = new URL(trimmed.includes('://') ? trimmed : `http://${trimmed}`).hostname.split('.')[0];
    return isAddress(label) ? label : undefined;
  } catch {
    return undefined;
  }
}

class P2pApp extends LitElement {
  static override properties = { error: { state: true } };
  error = '';
  private stopAnswering?: () => void;

  static override styles = css`
    :host { display: block; max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; }
    h1 { font-size: 1.5rem; margin: 0 0 1rem; }
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
      <p2p-settings-panel></p2p-settings-panel>
    </main>`;
  }
}

customElements.define('p2p-app', P2pApp);
