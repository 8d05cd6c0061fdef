import { LitElement, css, html, nothing } from 'lit';
import { diffFiles, generateKeyPair, type Manifest, type ManifestDiff } from '../core/index.js';
import { formatBytes } from '../site/format.js';
import type { SiteSwarm } from '../swarm/site-swarm.js';
import { loadKey, listKeys, saveKey } from './keys-store.js';
import { errorText, planIssueText } from './messages.js';
import { currentManifest, publishSite, PublishError, type PublishStep } from './publish.js';
import { fileTree, planPublish, type PublishPlan, type TreeNode } from './publish-plan.js';
import { filesFromDrop, filesFromList } from './read-drop.js';
import { siteUrlFor } from './site-url.js';

const STEPS: { step: PublishStep; label: string }[] = [
  { step: 'reading', label: 'Reading files' },
  { step: 'signing', label: 'Hashing and signing' },
  { step: 'uploading', label: 'Uploading to the origin seed' },
  { step: 'seeding', label: 'Seeding from this browser' },
];

/**
 * Publish by drag-and-drop: drop a folder (or pick files), see what will be published
 * and any problems, choose a new site or a new version of one of yours, then publish.
 */
export class P2pPublish extends LitElement {
  static override properties = {
    plan: { state: true },
    target: { state: true },
    sites: { state: true },
    diff: { state: true },
    busy: { state: true },
    step: { state: true },
    progress: { state: true },
    error: { state: true },
    result: { state: true },
    dragging: { state: true },
  };
  plan?: PublishPlan;
  /** '' for a new site, else the address of one of ours. */
  target = '';
  sites: { address: string }[] = [];
  diff?: ManifestDiff;
  busy = false;
  step?: PublishStep;
  progress = 0;
  error = '';
  result?: { manifest: Manifest; url: string };
  dragging = false;
  private readonly seeding: SiteSwarm[] = [];

  static override styles = css`
    :host { display: block; }
    .drop { border: 2px dashed #8c959f; border-radius: 12px; padding: 2rem 1rem; text-align: center; transition: background 0.15s; }
    .drop.over { background: color-mix(in srgb, #2f6fde 10%, transparent); border-color: #2f6fde; }
    .drop:focus-visible { outline: 3px solid #2f6fde; outline-offset: 2px; }
    .drop p { margin: 0.3rem 0; }
    .pick { display: inline-flex; gap: 0.5rem; flex-wrap: wrap; justify-content: center; margin-top: 0.6rem; }
    label.button, button { font: inherit; padding: 0.5rem 1rem; border-radius: 8px; border: 1px solid #8c959f; background: transparent; color: inherit; cursor: pointer; }
    button.primary { background: #2f6fde; color: #fff; border-color: #2f6fde; font-weight: 600; }
    button:disabled { opacity: 0.5; cursor: not-allowed; }
    label.button:focus-within, button:focus-visible { outline: 3px solid #2f6fde; outline-offset: 2px; }
    input[type='file'] { position: absolute; opacity: 0; width: 1px; height: 1px; }
    ul.tree { list-style: none; padding-left: 1rem; margin: 0.2rem 0; font-family: ui-monospace, monospace; font-size: 0.88rem; }
    ul.tree.top { padding-left: 0; max-height: 16rem; overflow: auto; border: 1px solid #d0d7de; border-radius: 8px; padding: 0.5rem 0.75rem; }
    .size { opacity: 0.6; margin-left: 0.5rem; }
    li.folder { font-weight: 600; }
    li.folder li.file { font-weight: 400; }
    .issues { padding-left: 1.2rem; }
    .error { color: #cf222e; }
    .warning { color: #9a6700; }
    .row { display: flex; gap: 0.75rem; align-items: center; flex-wrap: wrap; margin: 0.8rem 0; }
    select { font: inherit; padding: 0.4rem; max-width: 100%; }
    progress { width: 100%; }
    .done { border: 1px solid #1a7f37; border-radius: 10px; padding: 0.9rem 1rem; }
    code, .done a { word-break: break-all; overflow-wrap: anywhere; }
    .diff li { font-family: ui-monospace, monospace; font-size: 0.88rem; }
  `;

  private readonly onKeysChanged = async () => (this.sites = await listKeys());

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    document.addEventListener('keys-changed', this.onKeysChanged);
    this.sites = await listKeys();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keys-changed', this.onKeysChanged);
  }

  private async take(files: Promise<Parameters<typeof planPublish>[0]>): Promise<void> {
    this.error = '';
    this.result = undefined;
    this.plan = planPublish(await files);
    await this.updateDiff();
  }

  private async updateDiff(): Promise<void> {
    this.diff = undefined;
    if (!this.target || !this.plan) return;
    try {
      const current = await currentManifest(this.server, this.target);
      if (!current) return;
      // Compare by path and size here; hashes are compared when publishing.
      const next = this.plan.files.map((f) => ({ path: f.path, size: f.size, sha256: current.files.find((c) => c.path === f.path && c.size === f.size)?.sha256 ?? `new:${f.path}`, type: '' }));
      this.diff = diffFiles(current.files.map((f) => ({ ...f, type: '' })), next);
    } catch (err) {
      this.error = err instanceof PublishError ? errorText(err.code, err.message) : String(err);
    }
  }

  private get server(): string {
    return location.origin;
  }

  private async publish(): Promise<void> {
    if (!this.plan || this.plan.errors.length) return;
    this.busy = true;
    this.error = '';
    try {
      const key = this.target ? await loadKey(this.target) : await generateKeyPair();
      if (!key) throw new PublishError('E_BAD_KEY_FILE', 'no key for this site in this browser');
      const { manifest, swarm } = await publishSite({
        plan: this.plan,
        key,
        server: this.server,
        newKey: !this.target,
        progress: (step, done, total) => {
          this.step = step;
          this.progress = total ? done / total : 1;
        },
      });
      this.seeding.push(swarm);
      // Kept only after the server accepted the site: a failed first publish leaves no orphan key.
      await saveKey(key);
      this.sites = await listKeys();
      this.result = { manifest, url: siteUrlFor(manifest.address) };
      this.dispatchEvent(new CustomEvent('published', { detail: manifest, bubbles: true, composed: true }));
    } catch (err) {
      this.error = err instanceof PublishError ? errorText(err.code, err.message) : err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }

  private renderTree(nodes: TreeNode[], top = false): unknown {
    return html`<ul class="tree ${top ? 'top' : ''}" role=${top ? 'tree' : 'group'} aria-label=${top ? 'Files to publish' : nothing}>
      ${nodes.map(
        (n) => html`<li role="treeitem" class=${n.children ? 'folder' : 'file'}>${n.children ? `${n.name}/` : n.name}<span class="size">${formatBytes(n.size)}</span>${n.children ? this.renderTree(n.children) : nothing}</li>`,
      )}
    </ul>`;
  }

  private renderPlan(plan: PublishPlan) {
    return html`
      <h3>${plan.files.length} files, ${formatBytes(plan.total)}</h3>
      ${plan.entry ? html`<p>Start page: <code>${plan.entry}</code>${plan.fallback ? html`; unknown paths show <code>${plan.fallback}</code>` : nothing}</p>` : nothing}
      ${plan.errors.length || plan.warnings.length
        ? html`<ul class="issues" aria-live="polite">
            ${plan.errors.map((i) => html`<li class="error" data-code=${i.code}>${planIssueText(i)}</li>`)}
            ${plan.warnings.map((i) => html`<li class="warning" data-code=${i.code}>${planIssueText(i)}</li>`)}
          </ul>`
        : nothing}
      ${plan.files.length ? this.renderTree(fileTree(plan.files), true) : nothing}
      <div class="row">
        <label
          >Publish as
          <select
            name="target"
            .value=${this.target}
            @change=${async (e: Event) => {
              this.target = (e.target as HTMLSelectElement).value;
              await this.updateDiff();
            }}
          >
            <option value="">A new site (creates a new key)</option>
            ${this.sites.map((s) => html`<option value=${s.address}>New version of ${s.address.slice(0, 12)}…</option>`)}
          </select></label
        >
        <button class="primary" ?disabled=${this.busy || plan.errors.length > 0} @click=${this.publish}>${this.target ? 'Publish new version' : 'Publish'}</button>
      </div>
      ${this.diff
        ? html`<section class="diff" aria-label="Changes">
            <h3>Changes from the published version</h3>
            <ul>
              ${this.diff.added.map((f) => html`<li>+ added ${f.path}</li>`)}
              ${this.diff.removed.map((f) => html`<li>− removed ${f.path}</li>`)}
              ${this.diff.modified.map((m) => html`<li>~ modified ${m.after.path}</li>`)}
            </ul>
            <p>${this.diff.unchanged.length} unchanged; visitors will fetch only what changed (files with a new size are listed as modified; same-size edits are found when hashing).</p>
          </section>`
        : nothing}
    `;
  }

  override render() {
    return html`
      <div
        class="drop ${this.dragging ? 'over' : ''}"
        tabindex="0"
        role="region"
        aria-label="Drop a folder here to publish it"
        @dragenter=${(e: DragEvent) => {
          e.preventDefault();
          this.dragging = true;
        }}
        @dragover=${(e: DragEvent) => e.preventDefault()}
        @dragleave=${() => (this.dragging = false)}
        @drop=${(e: DragEvent) => {
          e.preventDefault();
          this.dragging = false;
          if (e.dataTransfer) void this.take(filesFromDrop(e.dataTransfer));
        }}
      >
        <p><strong>Drop your site's folder here</strong></p>
        <p>or</p>
        <div class="pick">
          <label class="button">Choose a folder<input type="file" webkitdirectory multiple @change=${(e: Event) => this.take(Promise.resolve(filesFromList((e.target as HTMLInputElement).files ?? [])))} /></label>
          <label class="button">Choose files<input type="file" multiple @change=${(e: Event) => this.take(Promise.resolve(filesFromList((e.target as HTMLInputElement).files ?? [])))} /></label>
        </div>
      </div>
      ${this.plan ? this.renderPlan(this.plan) : nothing}
      ${this.busy && this.step
        ? html`<div aria-live="polite">
            <ol>
              ${STEPS.map(({ step, label }) => html`<li>${label}${step === this.step ? html` <progress max="1" .value=${this.progress}></progress>` : nothing}</li>`)}
            </ol>
          </div>`
        : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.result
        ? html`<div class="done" role="status">
            <p><strong>Published version ${this.result.manifest.seq}.</strong> This browser is seeding it while this page is open.</p>
            <p>Address: <code data-field="address">${this.result.manifest.address}</code></p>
            <p>Link: <a data-field="url" href=${this.result.url} target="_blank" rel="noopener">${this.result.url}</a></p>
            <button @click=${() => navigator.clipboard?.writeText(this.result!.url)}>Copy link</button>
          </div>`
        : nothing}
    `;
  }
}

customElements.define('p2p-publish', P2pPublish);
