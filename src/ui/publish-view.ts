import { LitElement, html, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { shortAddress } from '../site/format.js';
import { formatCount, formatSize } from './format-size.js';
import { deleteKey, loadKey, listKeys, saveKey, setKeyTitle, type KeyEntry } from './keys-store.js';
import { errorText, planIssueText, publishErrorText } from './messages.js';
import { previewDocument } from './preview.js';
import { failureOf } from './publish-error.js';
import { currentManifest, diffPlan, publishSite, type PublishProgress } from './publish.js';
import { diffView, type PlanDiff } from './publish-diff-view.js';
import { fileTreeView } from './publish-file-tree.js';
import { applySiteChoice, planPublish, type PickedFile, type PublishPlan, type SiteChoice } from './publish-plan.js';
import { progressCard, readingCard } from './publish-progress-card.js';
import { PROGRESS_EVERY_MS, ProgressThrottle } from './publish-progress-throttle.js';
import { resultCard, type PublishResult } from './publish-result-card.js';
import { runPublish, type PublishRunDeps } from './publish-run.js';
import { publishStyles } from './publish-styles.js';
import { planLimits, type ServerFeatures } from '../core/server-features.js';
import { serverFeatures } from './server-features.js';
import './site-choice-view.js';
import { filesFromDrop, filesFromList } from './read-drop.js';
import { publisherSwarmOptions, seeding } from './seeding.js';
import { siteUrlFor } from './site-url.js';
import { base } from './styles.js';

/** This browser's key store, publisher and seeding, for runPublish. */
const browserDeps: PublishRunDeps = {
  loadKey: (address) => loadKey(address),
  saveKey: (key) => saveKey(key),
  deleteKey: (address) => deleteKey(address),
  setKeyTitle: (address, title) => setKeyTitle(address, title),
  publishSite,
  swarmOptions: async () => publisherSwarmOptions(await seeding.currentSettings()),
  seed: (site) => seeding.add(site),
};

/**
 * Publish by drag-and-drop: drop a folder (or pick files), see what will be published,
 * its problems and a preview, choose a new site or a new version of one of yours (with
 * what changed), then publish with each step's progress, and get the link and QR code.
 */
export class P2pPublish extends LitElement {
  static override properties = {
    plan: { state: true },
    target: { state: true },
    sites: { state: true },
    diff: { state: true },
    busy: { state: true },
    reading: { state: true },
    features: { state: true },
    error: { state: true },
    result: { state: true },
    dragging: { state: true },
    preview: { state: true },
    copied: { state: true },
  };
  plan?: PublishPlan;
  /** The plan as read, before the publisher's start-page and single-page-app choice. */
  private planned?: PublishPlan;
  private choice: SiteChoice = { spa: false };
  /** '' for a new site, else the address of one of ours. */
  target = '';
  sites: KeyEntry[] = [];
  diff?: PlanDiff;
  busy = false;
  /** The running publish's progress: a new step at once, counts at a bounded rate. */
  private readonly progress = new ProgressThrottle<PublishProgress>(this, { urgent: (next, shown) => next.step !== shown?.step });
  /** A dropped folder being walked: files and bytes found so far. */
  reading?: { files: number; bytes: number };
  /** What the server said it does (undefined: not told, so nothing is claimed). */
  features?: ServerFeatures;
  error = '';
  result?: PublishResult;
  dragging = false;
  preview?: string;
  copied = false;

  static override styles = [base, publishStyles];

  private readonly onKeysChanged = async () => (this.sites = await listKeys());

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    document.addEventListener('keys-changed', this.onKeysChanged);
    void serverFeatures(this.server).then((f) => (this.features = f));
    this.sites = await listKeys();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keys-changed', this.onKeysChanged);
  }

  /** Preselects one of our sites, for "publish a new version" from My sites. */
  async prepareUpdate(address: string): Promise<void> {
    this.sites = await listKeys();
    this.target = address;
    await this.updateDiff();
    this.renderRoot.querySelector<HTMLElement>('.drop')?.focus();
  }

  /** Takes picked or dropped files: plans the publish, the preview and the diff. */
  async take(files: Promise<PickedFile[]> | PickedFile[]): Promise<void> {
    this.error = '';
    this.result = undefined;
    this.preview = undefined;
    try {
      const picked = await files;
      this.reading = undefined;
      this.features ??= await serverFeatures(this.server);
      const planned = planPublish(picked, planLimits(this.features));
      this.choice = { spa: planned.looksLikeSpa };
      this.plan = applySiteChoice(planned, this.choice);
      this.planned = planned;
    } catch {
      this.reading = undefined;
      this.plan = undefined;
      this.error = errorText('E_READ_FAILED');
      return;
    }
    const plan = this.plan;
    if (plan.entry && !plan.errors.length) void previewDocument(plan.files, plan.entry).then((doc) => this.plan === plan && (this.preview = doc), () => undefined);
    await this.updateDiff();
  }

  private async updateDiff(): Promise<void> {
    this.diff = undefined;
    const plan = this.plan;
    if (!this.target || !plan || plan.errors.length) return;
    try {
      const current = await currentManifest(this.server, this.target);
      if (!current || this.plan !== plan) return;
      this.diff = { ...(await diffPlan(current, plan)), seq: current.seq };
    } catch (err) {
      this.error = publishErrorText(failureOf(err), this.features?.limits);
    }
  }

  private get server(): string {
    return location.origin;
  }

  private async publish(): Promise<void> {
    if (!this.plan || this.plan.errors.length || this.busy) return;
    const plan = this.plan;
    this.busy = true;
    this.error = '';
    this.result = undefined;
    this.progress.reset({ step: 'reading', files: 0, filesTotal: plan.files.length, bytes: 0, bytesTotal: plan.total });
    try {
      const manifest = await runPublish({ plan, target: this.target, server: this.server, progress: (p) => this.progress.push(p) }, browserDeps);
      this.progress.flush();
      this.sites = await listKeys();
      this.target = manifest.address;
      this.diff = undefined;
      // Done with these files: the result takes their place.
      this.plan = undefined;
      this.preview = undefined;
      this.result = { manifest, url: siteUrlFor(manifest.address) };
      await this.updateComplete;
      this.renderRoot.querySelector('.done-card')?.scrollIntoView({ block: 'nearest' });
      this.dispatchEvent(new CustomEvent('published', { detail: manifest, bubbles: true, composed: true }));
    } catch (err) {
      const failure = failureOf(err);
      this.error = publishErrorText(failure, this.features?.limits);
      if (failure.code === 'E_UNEXPECTED') console.warn('[p2p] publish failed', err);
    } finally {
      this.progress.cancel();
      this.busy = false;
    }
  }


  private async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.copied = true;
      setTimeout(() => (this.copied = false), 2000);
    } catch {
      // Clipboard refused (no permission): the link stays visible to copy by hand.
    }
  }

  private pick(event: Event): void {
    const input = event.target as HTMLInputElement;
    void this.take(filesFromList(input.files ?? []));
    input.value = '';
  }

  private renderDrop() {
    const chooser = (folder: boolean) => this.renderRoot.querySelector<HTMLInputElement>(`input[name="${folder ? 'folder' : 'files'}"]`);
    return html`<div
      class="drop ${this.dragging ? 'over' : ''}"
      tabindex="0"
      role="region"
      aria-label="Drop a folder here to publish it"
      aria-describedby="drop-help"
      @keydown=${(e: KeyboardEvent) => {
        if (e.target === e.currentTarget && (e.key === 'Enter' || e.key === ' ')) {
          e.preventDefault();
          chooser(true)?.click();
        }
      }}
      @dragenter=${(e: DragEvent) => {
        e.preventDefault();
        this.dragging = true;
      }}
      @dragover=${(e: DragEvent) => e.preventDefault()}
      @dragleave=${(e: DragEvent) => {
        if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) this.dragging = false;
      }}
      @drop=${(e: DragEvent) => {
        e.preventDefault();
        this.dragging = false;
        if (!e.dataTransfer) return;
        this.reading = { files: 0, bytes: 0 };
        let shown = 0;
        void this.take(
          filesFromDrop(e.dataTransfer, (files, bytes) => {
            // Walking a large folder: counts at a bounded rate, not a render per file.
            const now = performance.now();
            if (now - shown < PROGRESS_EVERY_MS) return;
            shown = now;
            this.reading = { files, bytes };
          }),
        );
      }}
    >
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" aria-hidden="true"><path d="M3 7.5A1.5 1.5 0 0 1 4.5 6H9l2 2h8.5A1.5 1.5 0 0 1 21 9.5v8a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z" /><path d="M12 11v5m-2.5-2.5L12 11l2.5 2.5" /></svg>
      <p class="big">Drop your site’s folder here</p>
      <p class="muted small" id="drop-help">It should hold an index.html. Press Enter to choose a folder.</p>
      <div class="row">
        <label class="button">Choose a folder<input type="file" name="folder" webkitdirectory multiple @change=${this.pick} /></label>
        <label class="button">Choose files<input type="file" name="files" multiple @change=${this.pick} /></label>
      </div>
      <p class="muted small limits" data-field="limits">${this.renderLimits()} Hidden files are left out.</p>
    </div>`;
  }

  private renderLimits() {
    const l = planLimits(this.features);
    return `Up to ${formatCount(l.maxFiles)} files, ${formatSize(l.maxFileBytes)} a file and ${formatSize(l.maxTotalBytes)} in all.`;
  }

  private renderPlan(plan: PublishPlan) {
    const blocked = plan.errors.length > 0;
    return html`<section class="card" aria-labelledby="plan-h">
      <div class="summary">
        <h3 id="plan-h">${formatCount(plan.files.length)} ${plan.files.length === 1 ? 'file' : 'files'}, ${formatSize(plan.total)}</h3>
        ${plan.entry ? html`<span class="muted small">Start page <code>${plan.entry}</code>${plan.fallback ? html` · unknown paths show <code>${plan.fallback}</code>` : nothing}</span>` : nothing}
      </div>
      <p2p-site-choice
        .plan=${this.planned}
        .choice=${this.choice}
        @choice=${(e: CustomEvent<SiteChoice>) => {
          this.choice = e.detail;
          if (this.planned) this.plan = applySiteChoice(this.planned, this.choice);
        }}
      ></p2p-site-choice>
      <div aria-live="polite">
        ${plan.errors.map((i) => html`<p class="note error" data-code=${i.code}>${planIssueText(i)}</p>`)}
        ${plan.warnings.map((i) => html`<p class="note warning" data-code=${i.code}>${planIssueText(i)}</p>`)}
      </div>
      ${plan.files.length
        ? html`<div class="columns">
            ${guard([plan.files], () => fileTreeView(plan.files))}
            ${this.preview
              ? html`<div class="frame"><span class="bar">Preview of ${plan.entry} (scripts off)</span><iframe title="Preview of the start page" sandbox="allow-same-origin" srcdoc=${this.preview}></iframe></div>`
              : nothing}
          </div>`
        : nothing}
      ${this.diff ? diffView(this.diff) : nothing}
      <div class="row actions">
        <label
          >Publish as
          <select
            name="target"
            .value=${this.target}
            ?disabled=${this.busy}
            @change=${async (e: Event) => {
              this.target = (e.target as HTMLSelectElement).value;
              await this.updateDiff();
            }}
          >
            <option value="" ?selected=${this.target === ''}>A new site (makes a new key)</option>
            ${this.sites.map((s) => html`<option value=${s.address} ?selected=${this.target === s.address}>New version of ${s.title ? `“${s.title}” (${shortAddress(s.address)})` : shortAddress(s.address)}</option>`)}
          </select></label
        >
        <button class="primary" ?disabled=${this.busy || blocked} @click=${this.publish}>${this.target ? 'Publish new version' : 'Publish'}</button>
      </div>
    </section>`;
  }

  override render() {
    const { result } = this;
    const progress = this.progress.shown;
    return html`
      ${this.renderDrop()}
      <div class="after">
        ${this.busy && progress ? progressCard(progress) : this.reading ? readingCard(this.reading) : nothing}
        ${this.plan ? this.renderPlan(this.plan) : nothing}
        ${this.error ? html`<p class="note error" role="alert">${this.error}</p>` : nothing}
        ${result ? resultCard(result, { features: this.features, copied: this.copied, onCopy: () => this.copy(result.url) }) : nothing}
      </div>
    `;
  }
}

customElements.define('p2p-publish', P2pPublish);
