import { LitElement, css, html } from 'lit';
import { answerSettingsQueries } from '../settings/settings-store.js';
import { activity } from './activity.js';
import './keys-view.js';
import './my-sites-view.js';
import type { P2pPublish } from './publish-view.js';
import './publish-view.js';
import './settings-panel.js';
import './status-indicator.js';
import { base } from './styles.js';
import './visit-bar.js';

const VIEWS = [
  { id: 'publish', label: 'Publish' },
  { id: 'sites', label: 'My sites' },
  { id: 'keys', label: 'Keys' },
  { id: 'settings', label: 'Settings' },
] as const;
type View = (typeof VIEWS)[number]['id'];

function viewFromHash(): View {
  const id = location.hash.replace(/^#\/?/, '');
  return VIEWS.find((v) => v.id === id)?.id ?? 'publish';
}

/**
 * The app shell: header with the status indicator, one view at a time (Publish with
 * "open a site", My sites, Keys, Settings) chosen by the URL's hash, so each has a link
 * and the back button works. Views stay mounted, so a half-done publish survives a look
 * at another view. While the app is open it also answers site pages asking for the
 * visitor's settings, and listens to their visit reports.
 */
class P2pApp extends LitElement {
  static override properties = { view: { state: true } };
  view: View = viewFromHash();
  private stopAnswering?: () => void;
  private readonly onHash = () => {
    this.view = viewFromHash();
    document.title = `${VIEWS.find((v) => v.id === this.view)!.label} · P2P Sites`;
  };

  static override styles = [
    base,
    css`
      :host { min-height: 100vh; }
      header { border-bottom: 1px solid var(--line); background: var(--surface); position: sticky; top: 0; z-index: 1; }
      .bar, main { max-width: 60rem; margin: 0 auto; padding-left: 1.25rem; padding-right: 1.25rem; }
      .bar { display: flex; align-items: center; gap: 0.75rem 1.25rem; flex-wrap: wrap; padding-top: 0.7rem; }
      .brand { display: flex; align-items: center; gap: 0.55rem; font-weight: 700; font-size: 1.05rem; letter-spacing: -0.01em; color: var(--text); text-decoration: none; margin-right: auto; }
      .brand img { width: 1.6rem; height: 1.6rem; }
      nav { width: 100%; }
      nav ul { list-style: none; display: flex; gap: 0.25rem; margin: 0; padding: 0; overflow-x: auto; }
      nav a { display: block; padding: 0.6rem 0.8rem 0.7rem; color: var(--muted); text-decoration: none; font-weight: 500; border-bottom: 2px solid transparent; white-space: nowrap; }
      nav a:hover { color: var(--text); }
      nav a[aria-current='page'] { color: var(--text); border-bottom-color: var(--accent); }
      main { padding-top: 1.5rem; padding-bottom: 4rem; }
      .intro { margin: 0 0 1rem; }
      .intro h1 { font-size: 1.6rem; margin: 0 0 0.25rem; letter-spacing: -0.02em; }
      .intro p { margin: 0; color: var(--muted); }
      [hidden] { display: none !important; }
      @media (max-width: 480px) {
        .bar, main { padding-left: 1rem; padding-right: 1rem; }
        .intro h1 { font-size: 1.35rem; }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopAnswering = answerSettingsQueries();
    activity.start();
    window.addEventListener('hashchange', this.onHash);
    this.onHash();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopAnswering?.();
    activity.stop();
    window.removeEventListener('hashchange', this.onHash);
  }

  override firstUpdated(): void {
    // What sticks below the sticky header (the publish progress) needs its height.
    const header = this.renderRoot.querySelector('header')!;
    new ResizeObserver(() => this.style.setProperty('--p2p-sticky-top', `${header.offsetHeight}px`)).observe(header);
  }

  private async updateSite(address: string): Promise<void> {
    location.hash = '#publish';
    await this.updateComplete;
    await this.renderRoot.querySelector<P2pPublish>('p2p-publish')?.prepareUpdate(address);
  }

  override render() {
    const v = this.view;
    return html`
      <header>
        <div class="bar">
          <a class="brand" href="#publish"><img src="/__p2p/icon.svg" alt="" />P2P Sites</a>
          <p2p-status></p2p-status>
          <nav aria-label="Sections">
            <ul>
              ${VIEWS.map((view) => html`<li><a href="#${view.id}" aria-current=${view.id === v ? 'page' : 'false'}>${view.label}</a></li>`)}
            </ul>
          </nav>
        </div>
      </header>
      <main @published=${() => this.renderRoot.querySelectorAll('p2p-keys, p2p-my-sites').forEach((el) => void (el as unknown as { refresh(): Promise<void> }).refresh())}
        @update-site=${(e: CustomEvent<string>) => this.updateSite(e.detail)}>
        <div ?hidden=${v !== 'publish'}>
          <section class="card" aria-labelledby="open-h">
            <h2 id="open-h">Open a site</h2>
            <p2p-visit-bar></p2p-visit-bar>
          </section>
          <div class="intro">
            <h1>Publish a site</h1>
            <p>Drop a folder. Your browser signs it with a key only you hold and shares it with visitors; the server keeps a copy for when no one is online.</p>
          </div>
          <p2p-publish></p2p-publish>
        </div>
        <div ?hidden=${v !== 'sites'}>
          <div class="intro"><h1>My sites</h1><p>What you publish and what you visit, and what this browser does for each.</p></div>
          <p2p-my-sites></p2p-my-sites>
        </div>
        <div ?hidden=${v !== 'keys'}>
          <div class="intro"><h1>Keys</h1><p>One key per site. Export them to move to another browser or to keep a backup.</p></div>
          <p2p-keys></p2p-keys>
        </div>
        <div ?hidden=${v !== 'settings'}>
          <div class="intro"><h1>Settings</h1><p>How much this browser shares, and what others can see.</p></div>
          <p2p-settings-panel></p2p-settings-panel>
        </div>
      </main>
    `;
  }
}

// Sites share the app's registrable domain: the app (its keys) never runs inside a frame,
// even where a browser ignores the server's frame-ancestors header.
if (window.top === window) customElements.define('p2p-app', P2pApp);
else document.body.textContent = 'Open this app in its own tab.';
