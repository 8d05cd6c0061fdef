import { LitElement, css, html, svg } from 'lit';
import { encodeQr, qrPath } from './qr-code.js';

/** A QR code of `text` (a site link) as an SVG image, with its quiet zone. */
export class P2pQr extends LitElement {
  static override properties = { text: {} };
  text = '';

  static override styles = css`
    :host { display: inline-block; width: 9.5rem; }
    svg { display: block; width: 100%; height: auto; border-radius: 8px; }
  `;

  override render() {
    if (!this.text) return html``;
    let code;
    try {
      code = encodeQr(this.text, { level: 'M' });
    } catch {
      return html``; // Too long for versions 1-10: the link and copy button remain.
    }
    const n = code.size + 8;
    return html`<svg viewBox="0 0 ${n} ${n}" role="img" aria-label="QR code of ${this.text}" shape-rendering="crispEdges">
      ${svg`<rect width=${n} height=${n} fill="#fff"></rect><path d=${qrPath(code)} fill="#000"></path>`}
    </svg>`;
  }
}

customElements.define('p2p-qr', P2pQr);
