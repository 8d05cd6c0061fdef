import { LitElement, html } from 'lit';
import { isAddress } from '../core/index.js';

/** The app shell. Visiting by address; publishing and management arrive with their issues. */
class P2pApp extends LitElement {
  static override properties = { error: { state: true } };
  error = '';

  private visit(event: SubmitEvent): void {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('address') as HTMLInputElement;
    const address = input.value.trim().toLowerCase();
    if (!isAddress(address)) {
      this.error = 'That is not a site address (52 letters and digits).';
      return;
    }
    location.href = `${location.protocol}//${address}.${location.hostname}${location.port ? `:${location.port}` : ''}/`;
  }

  override render() {
    return html`<main>
      <h1>P2P Sites</h1>
      <form @submit=${this.visit}>
        <label>Site address <input name="address" autocomplete="off" spellcheck="false" /></label>
        <button>Open</button>
      </form>
      ${this.error ? html`<p role="alert">${this.error}</p>` : ''}
    </main>`;
  }
}

customElements.define('p2p-app', P2pApp);
