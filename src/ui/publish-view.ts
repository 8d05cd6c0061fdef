import { LitElement, css, html, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { generateKeyPair, type Manifest, type ManifestDiff } from '../core/index.js';
import { shortAddress } from '../site/format.js';
import { formatCount, formatSize } from './format-size.js';
import { deleteKey, loadKey, listKeys, saveKey, setKeyTitle, type KeyEntry } from './keys-store.js';
import { errorText, planIssueText, publishErrorText } from './messages.js';
import { pageTitle } from './page-title.js';
import { previewDocument } from './preview.js';
import { failureOf, PublishError } from './publish-error.js';
import { currentManifest, diffPlan, publishSite, type PublishProgress, type PublishStep } from './publish.js';
import { applySiteChoice, fileTree, planPublish, treeRows, type PickedFile, type PublishPlan, type SiteChoice, type TreeNode } from './publish-plan.js';
import { planLimits, serverFeatures, type ServerFeatures } from './server-features.js';
import './site-choice-view.js';
import './qr-view.js';
import { filesFromDrop, filesFromList } from './read-drop.js';
import { publisherSwarmOptions, seeding } from './seeding.js';
import { siteUrlFor } from './site-url.js';
import { base } from './styles.js';

const STEPS: { step: PublishStep; label: string }[] = [
  { step: 'reading', label: 'Read the files' },
  { step: 'signing', label: 'Hash and sign' },
  { step: 'uploading', label: 'Upload to the server' },
  { step: 'seeding', label: 'Seed from this browser' },
];

/** Progress is shown at most this often: a render per file would slow a 10,000-file publish. */
const PROGRESS_EVERY_MS = 100;
/** Rows of the file tree shown; the rest is counted. */
const TREE_ROWS = 500;

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
    progress: { state: true },
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
  diff?: { diff: ManifestDiff; exact: boolean; seq: number };
  busy = false;
  /** The running publish's progress, as last shown. */
  progress?: PublishProgress;
  /** A dropped folder being walked: files and bytes found so far. */
  reading?: { files: number; bytes: number };
  /** What the server said it does (undefined: not told, so nothing is claimed). */
  features?: ServerFeatures;
  private latest?: PublishProgress;
  private progressTimer?: ReturnType<typeof setTimeout>;
  error = '';
  result?: { manifest: Manifest; url: string };
  dragging = false;
  preview?: string;
  copied = false;

  static override styles = [
    base,
    css`
      .drop { position: relative; border: 2px dashed var(--line-strong); border-radius: var(--radius); padding: 2.2rem 1rem; text-align: center;
        background: var(--surface); transition: background 0.15s, border-color 0.15s; }
      .drop.over { background: var(--accent-bg); border-color: var(--accent); }
      .drop .big { font-size: 1.1rem; font-weight: 600; margin: 0.5rem 0 0.2rem; }
      .drop svg { width: 2.6rem; height: 2.6rem; color: var(--accent); }
      .drop .row { justify-content: center; margin-top: 0.9rem; }
      .limits { margin-top: 0.8rem; }
      .after { display: grid; gap: 1rem; margin-top: 1rem; }
      .after .card, .after .note { margin: 0; }
      .summary { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; align-items: baseline; margin-bottom: 0.5rem; }
      .summary h3 { margin: 0; font-size: 1.05rem; }
      .columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; margin-top: 0.8rem; align-items: start; }
      @media (max-width: 720px) { .columns { grid-template-columns: minmax(0, 1fr); } }
      ul.tree { list-style: none; margin: 0; padding: 0 0 0 1.1rem; font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; font-size: 0.84rem; }
      ul.tree.top { padding: 0.6rem 0.8rem; max-height: 18rem; overflow: auto; border: 1px solid var(--line); border-radius: 10px; background: var(--field); }
      ul.tree li { padding: 0.08rem 0; }
      .name { display: inline-flex; justify-content: space-between; width: 100%; gap: 1rem; }
      .folder > .name { font-weight: 600; }
      .size { color: var(--muted); white-space: nowrap; }
      .frame { border: 1px solid var(--line); border-radius: 10px; overflow: hidden; background: #fff; height: 18rem; display: flex; flex-direction: column; }
      .frame .bar { font-size: 0.75rem; padding: 0.3rem 0.6rem; background: var(--chip); color: var(--muted); }
      .frame iframe { border: 0; width: 100%; flex: 1; background: #fff; }
      .actions { margin-top: 1rem; gap: 0.75rem; }
      .actions label { display: flex; flex-direction: column; gap: 0.25rem; font-size: 0.875rem; color: var(--muted); flex: 1 1 16rem; }
      .actions .primary { align-self: flex-end; }
      .diff { margin-top: 1rem; padding-top: 0.9rem; border-top: 1px solid var(--line); }
      .diff ul { list-style: none; padding: 0; margin: 0.4rem 0; font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; font-size: 0.84rem; }
      .diff li { padding: 0.1rem 0; }
      .added { color: var(--ok); } .removed { color: var(--danger); } .modified { color: var(--warn); }
      ol.steps { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.55rem; }
      ol.steps li { display: grid; grid-template-columns: 1.4rem 1fr; align-items: center; gap: 0.2rem 0.5rem; }
      ol.steps .icon { width: 1.2rem; height: 1.2rem; border-radius: 50%; border: 2px solid var(--line-strong); display: grid; place-items: center; font-size: 0.7rem; }
      ol.steps .done .icon { background: var(--ok); border-color: var(--ok); color: #fff; }
      ol.steps .active .icon { border-color: var(--accent); }
      ol.steps .pending { color: var(--muted); }
      /* In view while the page scrolls: below the app's sticky header (main.ts sets its height). */
      .progress-card { position: sticky; top: calc(var(--p2p-sticky-top, 0px) + 0.5rem); z-index: 1; box-shadow: 0 6px 18px -10px rgb(0 0 0 / 0.35); }
      .progress-head { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
      .progress-head h3 { margin: 0; }
      .progress-head .step { font-weight: 600; color: var(--accent-text); }
      .counts { font-variant-numeric: tabular-nums; margin: 0.35rem 0 0.5rem; }
      .progress-card progress { width: 100%; height: 0.5rem; accent-color: var(--accent); margin-bottom: 0.7rem; }
      .progress-card ol.steps { grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); }
      .done-card { display: flex; gap: 1.25rem; flex-wrap: wrap; align-items: flex-start; border-color: color-mix(in srgb, var(--ok) 45%, var(--line)); }
      .done-card .text { flex: 1 1 18rem; min-width: 0; }
      .done-card h3 { color: var(--ok); }
      .link { display: block; font-size: 0.95rem; margin: 0.2rem 0 0.7rem; overflow-wrap: anywhere; }
    `,
  ];

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

  /** Keeps the newest progress and shows it at most every PROGRESS_EVERY_MS. */
  private onProgress(p: PublishProgress): void {
    this.latest = p;
    if (p.step !== this.progress?.step) return this.showProgress();
    this.progressTimer ??= setTimeout(() => this.showProgress(), PROGRESS_EVERY_MS);
  }

  private showProgress(): void {
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    this.progress = this.latest;
  }

  private async publish(): Promise<void> {
    if (!this.plan || this.plan.errors.length || this.busy) return;
    const plan = this.plan;
    this.busy = true;
    this.error = '';
    this.result = undefined;
    this.latest = undefined;
    this.progress = { step: 'reading', files: 0, filesTotal: plan.files.length, bytes: 0, bytesTotal: plan.total };
    let madeKey: string | undefined;
    try {
      const key = this.target ? await loadKey(this.target) : await generateKeyPair();
      if (!key) throw new PublishError('E_NO_KEY', 'no key for this site in this browser');
      const title = await this.entryTitle(plan);
      if (!this.target) {
        // Stored before anything is sent, so a browser that refuses storage is told before
        // a site it could never update again goes out; removed again if the publish fails.
        try {
          madeKey = await saveKey(key);
        } catch (err) {
          throw new PublishError('E_STORAGE_REFUSED', err instanceof DOMException ? err.name : 'the key could not be stored');
        }
      }
      const { manifest, swarm, transfer } = await publishSite({
        plan,
        key,
        server: this.server,
        newKey: !this.target,
        swarm: publisherSwarmOptions(await seeding.currentSettings()),
        progress: (p) => this.onProgress(p),
      });
      madeKey = undefined;
      this.showProgress();
      seeding.add({ manifest, swarm, transfer });
      await setKeyTitle(manifest.address, title).catch(() => undefined);
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
      // A failed first publish leaves no orphan key.
      if (madeKey) await deleteKey(madeKey).catch(() => undefined);
      const failure = failureOf(err);
      this.error = publishErrorText(failure, this.features?.limits);
      if (failure.code === 'E_UNEXPECTED') console.warn('[p2p] publish failed', err);
    } finally {
      clearTimeout(this.progressTimer);
      this.progressTimer = undefined;
      this.busy = false;
    }
  }

  /** The start page's <title>, kept beside the key so the lists can name the site. */
  private async entryTitle(plan: PublishPlan): Promise<string | undefined> {
    const entry = plan.files.find((f) => f.path === plan.entry);
    if (!entry?.blob || entry.size > 1024 * 1024) return undefined;
    return pageTitle(await entry.blob.text().catch(() => ''));
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

  private renderTree(nodes: TreeNode[], top = false): unknown {
    return html`<ul class="tree ${top ? 'top' : ''}" role=${top ? 'tree' : 'group'} aria-label=${top ? 'Files to publish' : nothing}>
      ${nodes.map(
        (n) => html`<li role="treeitem" aria-expanded=${n.children ? 'true' : nothing} class=${n.children ? 'folder' : 'file'}>
          <span class="name"><span>${n.children ? `${n.name}/` : n.name}</span><span class="size">${formatSize(n.size)}</span></span>
          ${n.children ? this.renderTree(n.children) : nothing}
        </li>`,
      )}
    </ul>`;
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

  private renderFiles(files: readonly PickedFile[]) {
    const { nodes, hidden } = treeRows(fileTree(files), TREE_ROWS);
    return html`<div class="files">
      ${this.renderTree(nodes, true)}
      ${hidden ? html`<p class="small muted" data-field="tree-more">…and ${formatCount(hidden)} more ${hidden === 1 ? 'file' : 'files'} not listed here.</p>` : nothing}
    </div>`;
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
            ${guard([plan.files], () => this.renderFiles(plan.files))}
            ${this.preview
              ? html`<div class="frame"><span class="bar">Preview of ${plan.entry} (scripts off)</span><iframe title="Preview of the start page" sandbox="allow-same-origin" srcdoc=${this.preview}></iframe></div>`
              : nothing}
          </div>`
        : nothing}
      ${this.diff ? this.renderDiff(this.diff) : nothing}
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

  private renderDiff({ diff, exact, seq }: { diff: ManifestDiff; exact: boolean; seq: number }) {
    const changed = diff.added.length + diff.removed.length + diff.modified.length;
    return html`<section class="diff" aria-label="Changes">
      <h3>Changes from version ${seq}</h3>
      ${changed
        ? html`<ul>
            ${diff.added.map((f) => html`<li class="added">+ added ${f.path} <span class="size">${formatSize(f.size)}</span></li>`)}
            ${diff.removed.map((f) => html`<li class="removed">− removed ${f.path}</li>`)}
            ${diff.modified.map((m) => html`<li class="modified">~ modified ${m.after.path} <span class="size">${formatSize(m.before.size)} → ${formatSize(m.after.size)}</span></li>`)}
          </ul>`
        : html`<p>No file changed; publishing makes version ${seq + 1} with the same files.</p>`}
      <p class="muted small">${diff.unchanged.length} unchanged. This will be version ${seq + 1}; visitors fetch only what changed.${exact ? '' : ' (Large site: compared by size; same-size edits are found when publishing.)'}</p>
    </section>`;
  }

  /** Walking a dropped folder, before there is a plan. */
  private renderReading({ files, bytes }: { files: number; bytes: number }) {
    return html`<section class="card progress-card" role="status" aria-labelledby="reading-h">
      <h3 id="reading-h">Reading the folder…</h3>
      <p class="counts" data-field="reading">${formatCount(files)} ${files === 1 ? 'file' : 'files'} found, ${formatSize(bytes)}</p>
    </section>`;
  }

  private renderProgress(p: PublishProgress) {
    const at = STEPS.findIndex((s) => s.step === p.step);
    const current = STEPS[at];
    const fraction = p.step === 'signing' || p.step === 'seeding' ? undefined : p.bytesTotal ? p.bytes / p.bytesTotal : p.filesTotal ? p.files / p.filesTotal : 1;
    const counts = p.step === 'reading' || p.step === 'uploading'
      ? `${formatCount(p.files)} of ${formatCount(p.filesTotal)} files · ${formatSize(p.bytes)} of ${formatSize(p.bytesTotal)}`
      : p.step === 'signing'
        ? `${formatCount(p.filesTotal)} files, ${formatSize(p.bytesTotal)}`
        : '';
    return html`<section class="card progress-card" aria-labelledby="progress-h">
      <div class="progress-head">
        <h3 id="progress-h">Publishing…</h3>
        <span class="step" data-field="step">${current ? current.label : 'Done'}</span>
      </div>
      <p class="counts" data-field="counts" aria-live="polite" aria-atomic="true">${counts || html`&nbsp;`}</p>
      ${fraction === undefined ? html`<progress aria-label=${current?.label ?? ''}></progress>` : html`<progress max="1" .value=${fraction} aria-label=${current?.label ?? ''}></progress>`}
      <ol class="steps">
        ${STEPS.map(({ label }, i) => {
          const state = i < at || at < 0 ? 'done' : i === at ? 'active' : 'pending';
          return html`<li class=${state}><span class="icon" aria-hidden="true">${state === 'done' ? '✓' : ''}</span><span>${label}</span></li>`;
        })}
      </ol>
    </section>`;
  }

  private renderResult({ manifest, url }: { manifest: Manifest; url: string }) {
    return html`<section class="card done-card" role="status" aria-labelledby="done-h">
      <div class="text">
        <h3 id="done-h">Published version ${manifest.seq}</h3>
        <p class="small muted" data-field="who-serves">This browser seeds it while this tab is open${this.features?.originSeed ? '; the origin seed keeps a copy for when no one does' : this.features ? '. This server does not serve sites’ files itself: the site is reachable while someone who has it is online' : ''}.</p>
        <a class="link mono" data-field="url" href=${url} target="_blank" rel="noopener">${url}</a>
        <div class="row">
          <button class="primary" @click=${() => this.copy(url)}>${this.copied ? 'Copied ✓' : 'Copy link'}</button>
          <a class="button" href=${url} target="_blank" rel="noopener">Open site</a>
        </div>
        <p class="small muted">Address <code data-field="address">${manifest.address}</code></p>
      </div>
      <p2p-qr .text=${url}></p2p-qr>
    </section>`;
  }

  override render() {
    return html`
      ${this.renderDrop()}
      <div class="after">
        ${this.busy && this.progress ? this.renderProgress(this.progress) : this.reading ? this.renderReading(this.reading) : nothing}
        ${this.plan ? this.renderPlan(this.plan) : nothing}
        ${this.error ? html`<p class="note error" role="alert">${this.error}</p>` : nothing}
        ${this.result ? this.renderResult(this.result) : nothing}
      </div>
    `;
  }
}

customElements.define('p2p-publish', P2pPublish);
