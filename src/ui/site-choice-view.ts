import { LitElement, css, html, nothing } from 'lit';
import type { PublishPlan, SiteChoice } from './publish-plan.js';
import { base } from './styles.js';

/**
 * The start page and "single-page app" choice in the publish plan. Dispatches `choice`
 * (detail: SiteChoice) whenever the publisher changes either; the plan applies it
 * (`applySiteChoice`).
 */
export class P2pSiteChoice extends LitElement {
  static override properties = { plan: { attribute: false }, choice: { attribute: false } };
  plan?: PublishPlan;
  choice: SiteChoice = { spa: false };

  static override styles = [
    base,
    css`
      :host { display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; align-items: center; font-size: 0.9rem; }
      select { font: inherit; }
    `,
  ];

  private change(next: Partial<SiteChoice>): void {
    this.choice = { ...this.choice, ...next };
    this.dispatchEvent(new CustomEvent<SiteChoice>('choice', { detail: this.choice, bubbles: true, composed: true }));
  }

  override render() {
    const plan = this.plan;
    if (!plan?.entry) return nothing;
    return html`
      ${plan.pages.length > 1
        ? html`<label
            >Start page
            <select name="entry" @change=${(e: Event) => this.change({ entry: (e.target as HTMLSelectElement).value })}>
              ${plan.pages.map((p) => html`<option value=${p} ?selected=${p === plan.entry}>${p}</option>`)}
            </select></label
          >`
        : nothing}
      <label title="Every path that is not a file shows the start page, with status 200, so the app's own router can show it."
        ><input type="checkbox" name="spa" .checked=${this.choice.spa} @change=${(e: Event) => this.change({ spa: (e.target as HTMLInputElement).checked })} />
        Single-page app: unknown paths open the start page${plan.looksLikeSpa ? ' (this folder looks like one)' : ''}</label
      >
    `;
  }
}

customElements.define('p2p-site-choice', P2pSiteChoice);
