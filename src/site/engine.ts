import { isCoreError, type Manifest, type ManifestFile } from '../core/index.js';
import { verifyManifestOffThread, warmVerifier } from './verify-off-thread.js';
import { getSite, newestOf, offerManifest, promotePending, putVerifiedBlob, storedBlobs, updateSite, type SiteRecord } from '../store/site-cache.js';
import { loadPieces } from '../store/piece-cache.js';
import { resumeHooks } from './resume-hooks.js';
import { FILES_CHANNEL, type FileStoredMessage } from '../sw/messages.js';
import type { SiteSwarm, SiteSwarmOptions, TransferStats, VersionTransfer } from '../swarm/site-swarm.js';
import type { ManifestExchangeHooks } from '../swarm/manifest-exchange.js';
import { decideSharing, normaliseSettings, shareOfCap, type ResourceSettings, type SharingDecision } from '../swarm/governor.js';
import { SiteError, type SiteErrorCode } from './errors.js';
import { ServerWatch } from './server-watch.js';
import { UsageReporter } from './usage-report.js';
import { siteOrigin } from '../swarm/endpoints.js';
import { fetchExtraEndpoints, withExtraEndpoints } from '../swarm/extra-endpoints.js';
import { askServer } from './ask-server.js';
import { routeRequest } from '../sw/route.js';
import type { EnginePhase, EngineState, PageConditions, ResourceSnapshot } from './engine-state.js';

export type { EnginePhase, EngineState, PageConditions, ResourceSnapshot } from './engine-state.js';
import { OperatorIce } from '../swarm/operator-ice.js';

/** How long a first visit waits to learn whether the discovery swarm has anyone, when the server has no manifest. */
const DISCOVERY_COUNT_WAIT_MS = 4000;
/** How long the swarm waits for the operator's extra trackers and mirrors before starting without them. */
const EXTRA_ENDPOINTS_WAIT_MS = 3000;

/** Performance marks (`p2p:<step>`) so loading can be timed in devtools and benchmarks. */
function mark(step: string): void {
  performance.mark(`p2p:${step}`);
}

export interface SiteEngineOptions {
  /** The path the visitor opened; its page (not only the entry) counts as `entryStored`. */
  openPath?: string;
  address: string;
  /** The server's base URL (API, tracker, origin seed). Defaults to this page's origin. */
  server?: string;
  /** Peers follow the visitor's settings only, so `usePeers` is not among these. */
  swarm?: Partial<Omit<SiteSwarmOptions, 'endpoints' | 'usePeers'>>;
  /** How long to wait for the server before relying on the cache and peers. */
  serverTimeoutMs?: number;
  /** How long a first visit waits for a peer to offer a manifest when the server is unreachable. */
  peerManifestWaitMs?: number;
  /**
   * Resolves with the visitor's settings once their choice is known, however late (see
   * known-choice.ts). Until then the engine fetches from the origin seed with no tracker
   * socket and no peer connection; later changes come through `updateResources`.
   */
  resources?: () => Promise<ResourceSnapshot>;
}

/**
 * Loads, verifies, stores and reseeds one site in this browser. Manifests come from
 * the cache, the server and peers; each is verified and the version rule decides.
 */
export class SiteEngine extends EventTarget {
  readonly state: EngineState;
  private readonly options: Required<Omit<SiteEngineOptions, 'swarm' | 'openPath'>> & Pick<SiteEngineOptions, 'swarm' | 'openPath'>;
  private swarm?: SiteSwarm;
  private record?: SiteRecord;
  private current?: VersionTransfer;
  private next?: VersionTransfer;
  private readonly channel = new BroadcastChannel(FILES_CHANNEL);
  private destroyed = false;
  private watch?: ServerWatch;
  /** Nothing was cached when this engine started. */
  private firstVisit = false;
  /** The server answered (or failed) the first manifest request. */
  private serverHeard = false;
  private readonly savedUsage = new WeakMap<VersionTransfer, { fromPeers: number; fromOrigin: number; uploaded: number }>();
  /** What this page moved, told to the server for its metrics (usage-report.ts). */
  private usageReport?: UsageReporter;

  constructor(options: SiteEngineOptions) {
    super();
    this.options = {
      server: location.origin,
      serverTimeoutMs: 8000,
      peerManifestWaitMs: 15_000,
      resources: async () => ({ settings: normaliseSettings(undefined), activeEngines: 1 }),
      ...options,
    };
    this.state = { address: options.address, phase: 'resolving', updateReady: false, warnings: [] };
  }

  /** Resolves the newest manifest, then fetches what is missing and seeds what is stored. */
  async start(): Promise<void> {
    try {
      mark('start');
      warmVerifier();
      this.usageReport = new UsageReporter(`${siteOrigin(this.options.server, this.options.address)}/api/report`, this.options.address, () => this.transfers());
      this.usageReport.start();
      const visited = updateSite(this.options.address, (r) => (r.lastVisit = Date.now()));
      this.record = await getSite(this.options.address);
      this.firstVisit = !this.record?.current;
      mark('cache-read');
      // Join the peers while the server is asked, unless this address was refused before.
      const joining = this.record?.denied ? undefined : this.startSwarm();
      const server = await this.askServer();
      this.serverHeard = true;
      await joining;
      await visited;
      if (server === 'denied') {
        await this.swarm?.destroy();
        return this.fail('E_DENIED', 'the server refuses this address', 'denied');
      }
      this.record = await getSite(this.options.address);
      if (!this.record?.current && server === 'not-found') {
        // The server has nothing (a lost store, or a site published elsewhere); peers in
        // the discovery swarm may. Wait for them only when the tracker counts any, so an
        // address nobody has still fails at once.
        if ((await this.othersInDiscovery(DISCOVERY_COUNT_WAIT_MS)) > 0) await this.waitFor(() => Boolean(this.record?.current), this.options.peerManifestWaitMs);
        if (!this.record?.current) return this.fail('E_NOT_PUBLISHED', 'the server has no manifest for this address');
      }
      await this.startSwarm();

      if (!this.record?.current) {
        // Server unreachable and nothing cached: a peer in the discovery swarm may have it.
        await this.waitFor(() => Boolean(this.record?.current), this.options.peerManifestWaitMs);
        if (!this.record?.current) return this.fail('E_UNREACHABLE', 'no manifest from the server or any peer');
      }
      mark('resolved');
      this.serve(this.record.current!);
      if (this.record.pending) this.fetchPending(this.record.pending);
      this.watchServer();
    } catch (err) {
      this.fail(err instanceof SiteError ? err.code : 'E_STORAGE', err instanceof Error ? err.message : String(err));
    }
  }

  private swarmStarting?: Promise<void>;
  private resources?: ResourceSnapshot;
  private conditions: PageConditions = { hiddenForMs: 0, seedRank: 0 };
  private ice?: OperatorIce;

  private startSwarm(): Promise<void> {
    this.swarmStarting ??= (async () => {
      // WebTorrent is loaded here rather than with the page's first script: evaluating its
      // bundle is the largest piece of start-up work, and on its own it is a shorter task.
      // The operator's extra trackers and mirrors come from the site's origin meanwhile.
      const [{ SiteSwarm }, extra] = await Promise.all([import('../swarm/site-swarm.js'), fetchExtraEndpoints(siteOrigin(this.options.server, this.options.address), EXTRA_ENDPOINTS_WAIT_MS)]);
      // No peers before the visitor's choice is known: the origin seed starts at once, and
      // peers join the running transfers when the settings allow them.
      this.swarm = new SiteSwarm({ endpoints: withExtraEndpoints(this.endpoints(), extra), warn: (m) => this.warn(m), ...this.options.swarm, usePeers: false });
      void this.options.resources().then((known) => {
        this.resources ??= known; // A change that came meanwhile is newer.
        this.updateResources();
      });
    })();
    return this.swarmStarting;
  }

  /**
   * Applies new settings or page conditions at once (the settings frame and the page's
   * visibility call this). Peers join or leave without stopping a transfer ("origin
   * only" ends every peer connection); nothing opens before the settings are known.
   */
  updateResources(resources?: ResourceSnapshot, conditions?: Partial<PageConditions>): void {
    if (resources) this.resources = resources;
    if (conditions) this.conditions = { ...this.conditions, ...conditions };
    if (!this.resources || !this.swarm) return;
    const decision = decideSharing(this.resources.settings, this.conditions);
    this.state.sharing = decision;
    const { settings, activeEngines } = this.resources;
    // The operator's STUN/TURN servers are asked for only now that peers are allowed;
    // peers wait for that answer (the origin seed does not), then `changed` comes back here.
    this.ice ??= new OperatorIce({ server: this.options.server, warn: (m) => this.warn(m), changed: () => this.updateResources() });
    const rtcConfig = decision.usePeers ? this.ice.configFor(settings) : undefined;
    this.swarm.setPeers(Boolean(rtcConfig), rtcConfig);
    if (rtcConfig) void this.swarm.joinDiscovery(this.options.address, this.exchangeHooks());
    this.swarm.applyLimits({
      upload: decision.upload,
      uploadLimit: shareOfCap(settings.uploadLimit, activeEngines),
      downloadLimit: shareOfCap(settings.downloadLimit, activeEngines),
      maxConns: settings.maxConnections,
    });
    this.emit();
  }

  /** The served version's transfer counters as of now (the state's copy lags by up to 250 ms). */
  get liveStats(): TransferStats | undefined {
    return this.current ? { ...this.current.stats } : this.state.stats;
  }

  /** True while this engine is allowed to upload (for the other engines' cap shares). */
  get seeding(): boolean {
    return Boolean(this.swarm && this.state.sharing?.upload && !this.destroyed);
  }

  private endpoints() {
    const server = new URL(this.options.server);
    const ws = server.protocol === 'https:' ? 'wss:' : 'ws:';
    return { announce: [`${ws}//${server.host}/announce`], seedBase: `${server.origin}/seed/` };
  }

  /** Fetches the newest manifest from the server and offers it to the cache. */
  private async askServer(): Promise<'ok' | 'not-found' | 'denied' | 'unreachable'> {
    const answer = await askServer(this.options.server, this.options.address, this.options.serverTimeoutMs);
    mark('server-answered');
    this.state.serverReachable = answer.kind !== 'unreachable' || (answer.status ?? 500) < 500;
    if (answer.kind === 'denied') await updateSite(this.options.address, (r) => (r.denied = true));
    else if (this.record?.denied && answer.kind !== 'unreachable') await updateSite(this.options.address, (r) => (r.denied = false));
    if (answer.kind !== 'ok') return answer.kind;
    return (await this.consider(answer.candidate, 'server')) ? 'ok' : 'unreachable';
  }

  /**
   * Verifies a manifest from any source and applies the version rule. Returns false
   * only when it failed verification (the source misbehaved).
   */
  private async consider(candidate: unknown, source: 'server' | 'peer'): Promise<boolean> {
    let manifest: Manifest;
    try {
      manifest = await verifyManifestOffThread(candidate, this.options.address);
    } catch (err) {
      this.warn(`ignored a manifest from the ${source}: ${isCoreError(err) ? err.code : 'invalid'}`);
      return false;
    }
    mark(`verified-${source}`);
    const hadCurrent = Boolean(this.record?.current);
    // On a first visit nothing is shown until the server was heard, so the highest seq
    // heard by then is the one shown (a peer's older copy never comes first).
    const decision = await offerManifest(manifest, !hadCurrent || (this.firstVisit && !this.serving));
    this.record = await getSite(this.options.address);
    if (decision.action === 'conflict') this.warn(`the publisher's key signed two different versions with seq ${manifest.seq}; keeping the one held`);
    if (decision.action === 'accept') {
      if (this.swarm) this.swarm.announceManifest(this.options.address, this.transfers().map((t) => t.torrent));
      if (hadCurrent && this.swarm && this.record?.pending?.seq === manifest.seq) this.fetchPending(manifest);
      this.emit();
    }
    return true;
  }

  private exchangeHooks(): ManifestExchangeHooks {
    return {
      newest: () => (this.record ? newestOf(this.record) : undefined),
      received: async (manifest) => {
        const ok = await this.consider(manifest, 'peer');
        if (ok && this.serverHeard && this.record?.current && this.state.phase === 'resolving') this.serve(this.record.current);
        return ok;
      },
      warn: (m) => this.warn(m),
    };
  }

  private transfers(): VersionTransfer[] {
    return [this.current, this.next].filter((t): t is VersionTransfer => Boolean(t));
  }

  /** Fetches what is missing of the served version, then keeps seeding it. */
  private serving = false;

  private serve(manifest: Manifest): void {
    if (this.serving || this.destroyed) return;
    this.serving = true;
    this.state.manifest = manifest;
    this.state.phase = 'fetching';
    this.emit();
    void Promise.all([storedBlobs(manifest), loadPieces(manifest.torrent.infoHash)]).then(([stored, resumePieces]) => {
      if (this.destroyed) return;
      const opened = this.openedFile(manifest);
      if (opened && stored.has(opened.sha256)) this.state.entryStored = true;
      const transfer = this.swarm!.transfer(manifest, stored, {
        ...resumeHooks(manifest.torrent.infoHash, resumePieces, (m) => this.warn(m)),
        fileVerified: (file, blob) => this.storeFile(file, blob),
        progress: (stats) => this.onProgress(stats),
        manifestExchange: this.exchangeHooks(),
      });
      this.current = transfer;
      this.state.stats = { ...transfer.stats };
      mark('transfer');
      void transfer.done.then(() => {
        mark('ready');
        this.state.phase = 'ready';
        void this.saveUsage(transfer);
        this.emit();
      });
    });
  }

  /** Fetches a newer version in the background; offers a reload once it is complete. */
  private fetchPending(manifest: Manifest): void {
    if (this.destroyed || !this.swarm) return;
    // Set before any await: the server and a peer may offer the same version at once.
    if (this.state.pending?.seq === manifest.seq) return;
    this.next?.destroy();
    this.next = undefined;
    this.state.pending = manifest;
    this.state.updateReady = false;
    void Promise.all([storedBlobs(manifest), loadPieces(manifest.torrent.infoHash)]).then(([stored, resumePieces]) => {
      if (this.destroyed || this.state.pending !== manifest) return;
      const transfer = this.swarm!.transfer(manifest, stored, {
        ...resumeHooks(manifest.torrent.infoHash, resumePieces, (m) => this.warn(m)),
        fileVerified: (file, blob) => this.storeFile(file, blob),
        manifestExchange: this.exchangeHooks(),
      });
      this.next = transfer;
      void transfer.done.then(() => {
        if (this.next !== transfer) return;
        this.state.updateReady = true;
        void this.saveUsage(transfer);
        this.emit();
      });
    });
  }

  /**
   * Switches to the newer version once its files are all stored. The caller reloads
   * the page; the service worker then serves the new version to new page loads only.
   */
  async applyUpdate(): Promise<Manifest | undefined> {
    if (!this.state.updateReady) return undefined;
    const promoted = await promotePending(this.options.address);
    this.record = await getSite(this.options.address);
    return promoted;
  }

  /** The file the visitor opened (a deep link), or the entry: a large site opens once it is stored. */
  private openedFile(manifest: Manifest): ManifestFile | undefined {
    const route = this.options.openPath ? routeRequest(manifest, this.options.openPath) : undefined;
    const path = route?.kind === 'file' ? route.file.path : manifest.entry;
    return manifest.files.find((f) => f.path === path);
  }

  private async storeFile(file: ManifestFile, blob: Blob): Promise<Blob> {
    // The bytes were checked against the manifest's sha256 by the chunk store.
    await putVerifiedBlob(file.sha256, blob);
    if (this.state.manifest && this.openedFile(this.state.manifest)?.sha256 === file.sha256) this.state.entryStored = true;
    const message: FileStoredMessage = { type: 'file-stored', sha256: file.sha256 };
    this.channel.postMessage(message);
    return blob;
  }

  private onProgress(stats: TransferStats): void {
    this.state.stats = stats;
    this.emit();
  }

  /** Adds what a transfer moved since it was last saved to the site's usage counters. */
  private async saveUsage(transfer: VersionTransfer): Promise<void> {
    const saved = this.savedUsage.get(transfer) ?? { fromPeers: 0, fromOrigin: 0, uploaded: 0 };
    const now = { fromPeers: transfer.stats.fromPeers, fromOrigin: transfer.stats.fromOrigin, uploaded: transfer.stats.uploaded };
    this.savedUsage.set(transfer, now);
    await updateSite(this.options.address, (r) => {
      r.bytesFromPeers += now.fromPeers - saved.fromPeers;
      r.bytesFromOrigin += now.fromOrigin - saved.fromOrigin;
      r.bytesUploaded += now.uploaded - saved.uploaded;
    });
  }

  /** Resolves when `condition` holds after a state change, or after `timeoutMs`. */
  private waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.removeEventListener('state', check);
        resolve();
      };
      const check = () => {
        if (condition()) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.addEventListener('state', check);
      check();
    });
  }

  /**
   * Hears of new versions while the page is open, and of the server going and coming
   * back: then the notice clears and trackers reconnect at once (src/site/server-watch.ts).
   */
  private watchServer(): void {
    if (this.destroyed || this.watch) return;
    this.watch = new ServerWatch({
      url: `${this.options.server}/api/sites/${this.options.address}`,
      onManifest: async (candidate) => void (await this.consider(candidate, 'server')),
      onReachable: (reachable) => {
        this.state.serverReachable = reachable;
        this.emit();
      },
      // The server answers: a tracker socket it dropped (a restart) reconnects now, not on
      // bittorrent-tracker's minutes-long backoff.
      onAnswer: () => this.swarm?.reconnectTrackers(),
      onDenied: () =>
        void updateSite(this.options.address, (r) => (r.denied = true)).then(async () => {
          await this.swarm?.destroy();
          this.fail('E_DENIED', 'the server refuses this address', 'denied');
        }),
    });
    this.watch.start(this.record ? newestOf(this.record) : undefined, this.state.serverReachable !== false);
  }

  /** Others the tracker counts in the discovery swarm, once peers are allowed; 0 when none or not asked within `ms`. */
  private async othersInDiscovery(ms: number): Promise<number> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && !this.destroyed) {
      if (this.state.sharing && !this.state.sharing.usePeers) return 0;
      const others = await this.swarm?.discoveryPeers(this.options.address, Math.min(250, deadline - Date.now()));
      if (others !== undefined) return others;
      if (!this.swarm?.usesPeers) await new Promise((r) => setTimeout(r, 100));
    }
    return 0;
  }

  private fail(code: SiteErrorCode, message: string, phase: EnginePhase = 'error'): void {
    this.state.phase = phase;
    this.state.error = { code, message };
    this.emit();
  }

  private warn(message: string): void {
    this.state.warnings = [...this.state.warnings.slice(-19), message];
    console.warn(`[p2p] ${message}`);
  }

  private emit(): void {
    this.dispatchEvent(new Event('state'));
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.watch?.stop();
    this.destroyed = true;
    // Before any await: called from `pagehide`, the last report must leave now.
    this.usageReport?.stop();
    this.channel.close();
    this.ice?.destroy();
    for (const t of this.transfers()) await this.saveUsage(t);
    await this.swarm?.destroy();
  }
}
