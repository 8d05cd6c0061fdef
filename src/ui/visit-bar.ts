import { LitElement, css, html, nothing } from 'lit';
import { CoreError, publicKeyFromAddress } from '../core/index.js';
import { addressHint } from './messages.js';
import { addressFromInput, siteUrlFor } from './site-url.js';
import { base } from './styles.js';
import { noteOpened } from '../bridge/visits-store.js';

/**
 * Open a site by its address or link. Checks the address as it is typed (with the
 * core's typed address error) and opens the site on its own origin.
 */
export class P2pVisitBar extends LitElement {
  static override properties = { value: { state: true }, submitted: { state: true } };
  value = '';
  submitted = false;

  static override styles = [
    base,
    css`
      form { display: flex; gap: 0.5rem; }
      input { flex: 1 1 auto; font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; font-size: 0.9rem; }
      .hint { min-height: 1.4em; margin: 0.4rem 0 0; font-size: 0.875rem; }
      @media (max-width: 480px) { form { flex-direction: column; } }
    `,
  ];

  /** The address in the field, or the core's error code for it. */
  private check(): { address?: string; code?: string } {
    const text = this.value.trim();
    if (!text) return {};
    const address = addressFromInput(text);
    if (address) return { address };
    const label = text.toLowerCase().replace(/^[a-z]+:\/\//, '').split(/[./:]/)[0];
    try {
      publicKeyFromAddress(label);
      return { code: 'E_BAD_ADDRESS' };
    } catch (err) {
      return { code: err instanceof CoreError ? err.code : 'E_BAD_ADDRESS' };
    }
  }

  private async open(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.submitted = true;
    const { address } = this.check();
    if (!address) return;
    await noteOpened(address).catch((err: unknown) => console.warn('[p2p] could not note the visit', err));
    location.href = siteUrlFor(address);
  }

  override render() {
    const { address, code } = this.check();
    const hint = addressHint(this.value, code);
    const showError = hint && (hint.error || this.submitted);
    return html`<form @submit=${this.open} aria-label="Open a site" novalidate>
        <input
          type="text"
          name="address"
          aria-label="Site address or link"
          placeholder="Paste a site address or link"
          autocomplete="off"
          spellcheck="false"
          aria-invalid=${showError ? 'true' : 'false'}
          aria-describedby="address-hint"
          .value=${this.value}
          @input=${(e: Event) => {
            this.value = (e.target as HTMLInputElement).value;
            this.submitted = false;
          }}
        />
        <button class="primary" type="submit">Open</button>
      </form>
      <p id="address-hint" class="hint ${showError ? 'error' : 'muted'}" role=${showError ? 'alert' : nothing} data-valid=${address ? 'true' : 'false'}>
        ${address ? html`<span class="ok">✓ A valid address.</span>` : hint ? hint.text : 'An address is 52 letters and digits; a link looks like http://<address>.' + location.host + '/'}
      </p>`;
  }
}

customElements.define('p2p-visit-bar', P2pVisitBar);
