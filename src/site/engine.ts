import { detailOf, type Manifest, type ManifestFile, type SwarmPeers } from '../core/index.js';
import { warmVerifier } from './verify-off-thread.js';
import type { TransferStats, VersionTransfer } from '../swarm/site-swarm.js';
import type { ManifestExchangeHooks } from '../swarm/manifest-exchange.js';
import { normaliseSettings } from '../swarm/governor.js';
import type { SiteErrorCode } from './errors.js';
import { ServerWatch } from './server-watch.js';
import { UsageReporter, type UsageCounts } from './usage-report.js';
import { siteOrigin } from '../core/origins.js';
import { askServer, type ServerAnswer } from './ask-server.js';
import { EnginePeers } from './engine-peers.js';
import type { OperatorIce } from '../swarm/operator-ice.js';
import { openedFile, VersionLoad, type VersionLoadHost } from './version-load.js';
import { UsageLedger } from './usage-ledger.js';
import { stateHolds } from './state-holds.js';
import { pageDeps, type EngineDeps } from './engine-deps.js';
import { mark } from './marks.js';
import { SiteVersions } from './site-versions.js';
import type { EnginePhase, EngineState, PageConditions, ResourceSnapshot, SiteEngineOptions } from './engine-state.js';

export type { EnginePhase, EngineState, PageConditions, ResourceSnapshot, SiteEngineOptions } from './engine-state.js';

/** How long a first visit waits to learn whether the discovery swarm has anyone, when the server has no manifest. */
const DISCOVERY_COUNT_WAIT_MS = 4000;
/** A first visit whose server has not answered by then meets the site's peers meanwhile. */
const SLOW_SERVER_MS = 400;
/** How long a visit that peers could serve waits for the visitor's settings before starting on the origin seed. */
const SETTINGS_WAIT_MS = 500;

type Options = Required<Omit<SiteEngineOptions, 'swarm' | 'openPath' | 'deps'>> & Pick<SiteEngineOptions, 'swarm' | 'openPath'>;

/**
 * Loads, verifies, stores and reseeds one site in this browser. Manifests come from
 * the cache, the server and peers; each is verified and the version rule decides.
 * Files come straight from the origin seed when no peer holds the version (or the
 * visitor chose "origin only"), otherwise from peers through WebTorrent.
 */
export class SiteEngine extends EventTarget {
  readonly state: EngineState;
  private readonly options: Options;
  private readonly peers: EnginePeers;
  private readonly versions: SiteVersions;
  private readonly deps: EngineDeps;
  /** The served version's files, and a newer version's being fetched in the background. */
  private served?: VersionLoad;
  private upcoming?: VersionLoad;
  private destroyed = false;
  private watch?: ServerWatch;
  /** Nothing was cached when this engine started. */
  private firstVisit = false;
  /** The server answered (or failed) the first manifest request. */
  private serverHeard = false;
  /** Who holds the version the server last answered with, when it says (src/core/swarm-peers.ts). */
  private serverSwarm?: { infoHash: string; peers: SwarmPeers };
  private readonly usage: UsageLedger;
  /** What this page moved, told to the server for its metrics (usage-report.ts). */
  private usageReport?: UsageReporter;
  /** Fetches what is missing of the served version, then keeps seeding it. */
  private serving = false;

  constructor(options: SiteEngineOptions) {
    super();
    this.options = {
      server: options.server ?? location.origin,
      serverTimeoutMs: 8000,
      peerManifestWaitMs: 15_000,
      resources: async () => ({ settings: normaliseSettings(undefined), activeEngines: 1 }),
      seed: true,
      verifyHere: false,
      ...options,
    };
    const deps = (this.deps = pageDeps(options.deps));
    this.versions = new SiteVersions({ address: options.address, deps, verifyHere: this.options.verifyHere, warn: (m) => this.warn(m) });
    this.state = { address: options.address, phase: 'resolving', updateReady: false, warnings: [] };
    this.usage = new UsageLedger(options.address, deps.stores);
    this.peers = new EnginePeers({
      address: this.options.address,
      server: this.options.server,
      fetch: deps.fetch,
      swarm: this.options.swarm,
      resources: this.options.resources,
      exchangeHooks: () => this.exchangeHooks(),
      warn: (m) => this.warn(m),
      changed: () => {
        this.state.sharing = this.peers.sharing;
        this.emit();
      },
    });
  }

  /** Resolves the newest manifest, then fetches what is missing and seeds what is stored. */
  async start(): Promise<void> {
    try {
      mark('start');
      if (!this.options.verifyHere) warmVerifier();
      this.usageReport = new UsageReporter(`${siteOrigin(this.options.server, this.options.address)}/api/report`, this.options.address, () => this.usageSources());
      this.usageReport.start();
      // The cache and the server at once: neither waits for the other, nor for the settings or WebTorrent.
      const reading = this.versions.read();
      const asking = askServer(this.options.server, this.options.address, this.options.serverTimeoutMs, this.deps.fetch);
      const visited = this.versions.visited();
      this.firstVisit = !(await reading)?.current;
      mark('cache-read');
      // A cached site joins its peers while the server is asked, unless it was refused
      // before; a first visit only when the server is slow to answer (then peers may have
      // the manifest, and the files), so a fast server's visit never loads WebTorrent first.
      const joinPeers = () => void (this.versions.record?.denied || this.peers.warm());
      const slowServer = this.firstVisit ? setTimeout(joinPeers, SLOW_SERVER_MS) : joinPeers();
      const server = await this.heardFromServer(await asking);
      clearTimeout(slowServer);
      this.serverHeard = true;
      await visited;
      if (server === 'denied') {
        await this.peers.destroy();
        return this.fail('E_DENIED', 'the server refuses this address', 'denied');
      }
      const record = await this.versions.read();
      if (!record?.current && server === 'not-found') {
        // The server has nothing (a lost store, or a site published elsewhere); peers in
        // the discovery swarm may. Wait for them only when the tracker counts any, so an
        // address nobody has still fails at once.
        await this.peers.start();
        if ((await this.peers.othersInDiscovery(DISCOVERY_COUNT_WAIT_MS)) > 0) await stateHolds(this, () => this.holdsCurrent, this.options.peerManifestWaitMs);
        if (!this.holdsCurrent) return this.fail('E_NOT_PUBLISHED', 'the server has no manifest for this address');
      }
      if (!this.holdsCurrent) {
        // Server unreachable and nothing cached: a peer in the discovery swarm may have it.
        await this.peers.start();
        await stateHolds(this, () => this.holdsCurrent, this.options.peerManifestWaitMs);
        if (!this.holdsCurrent) return this.fail('E_UNREACHABLE', 'no manifest from the server or any peer');
      }
      mark('resolved');
      const { current, pending } = this.versions.record!;
      this.serve(current!);
      if (pending) this.fetchPending(pending);
      this.watchServer();
    } catch (err) {
      this.fail('E_STORAGE', detailOf(err)); // The cache (IndexedDB) refused: nothing else here throws.
    }
  }

  /**
   * Applies new settings or page conditions at once (the settings frame and the page's
   * visibility call this). Peers join or leave without stopping a transfer ("origin
   * only" ends every peer connection); nothing opens before the settings are known.
   */
  updateResources(resources?: ResourceSnapshot, conditions?: Partial<PageConditions>): void {
    this.peers.update(resources, conditions);
  }

  /** The served version's transfer counters as of now (the state's copy lags by up to 250 ms). */
  get liveStats(): TransferStats | undefined {
    return this.served?.liveStats ?? this.state.stats;
  }

  /** The operator's STUN/TURN servers as this engine uses them, once peers are allowed. */
  get ice(): OperatorIce | undefined {
    return this.peers.ice;
  }

  /** True while this engine is allowed to upload (for the other engines' cap shares). */
  get seeding(): boolean {
    return !this.destroyed && this.peers.seeding;
  }

  /** Applies the server's first answer: the denied flag, reachability, and its manifest offered to the cache. */
  private async heardFromServer(answer: ServerAnswer): Promise<'ok' | 'not-found' | 'denied' | 'unreachable'> {
    mark('server-answered');
    this.state.serverReachable = answer.kind !== 'unreachable' || (answer.status ?? 500) < 500;
    if (answer.kind === 'denied') await this.versions.setDenied(true);
    else if (this.versions.record?.denied && answer.kind !== 'unreachable') await this.versions.setDenied(false);
    if (answer.kind !== 'ok') return answer.kind;
    const manifest = await this.consider(answer.candidate, 'server');
    if (!manifest) return 'unreachable';
    if (answer.swarm) this.serverSwarm = { infoHash: manifest.torrent.infoHash, peers: answer.swarm };
    return 'ok';
  }

  /** Offers a manifest from any source to the cache (site-versions.ts); the verified manifest, or undefined when it failed verification. */
  private async consider(candidate: unknown, source: 'server' | 'peer'): Promise<Manifest | undefined> {
    const hadCurrent = this.holdsCurrent;
    // On a first visit nothing is shown until the server was heard, so the highest seq
    // heard by then is the one shown (a peer's older copy never comes first).
    const offered = await this.versions.offer(candidate, source, !hadCurrent || (this.firstVisit && !this.serving));
    if (offered?.decision.action === 'accept') {
      this.peers.swarm?.announceManifest(this.options.address, this.transfers().map((t) => t.torrent));
      if (hadCurrent && this.serving && this.versions.record?.pending?.seq === offered.manifest.seq) this.fetchPending(offered.manifest);
      this.emit();
    }
    return offered?.manifest;
  }

  private get holdsCurrent(): boolean {
    return Boolean(this.versions.record?.current);
  }

  private exchangeHooks(): ManifestExchangeHooks {
    return {
      newest: () => this.versions.newest(),
      received: async (manifest) => {
        const ok = Boolean(await this.consider(manifest, 'peer'));
        if (ok && this.serverHeard && this.holdsCurrent && this.state.phase === 'resolving') this.serve(this.versions.record!.current!);
        return ok;
      },
      warn: (m) => this.warn(m),
    };
  }

  private transfers(): VersionTransfer[] {
    return [this.served?.transfer, this.upcoming?.transfer].filter((t): t is VersionTransfer => Boolean(t));
  }

  /** Everything that moved bytes for this page: the transfers and the direct origin downloads. */
  private usageSources(): { stats: UsageCounts }[] {
    return [this.served, this.upcoming].flatMap((load) => (load ? [load.download, ...(load.transfer ? [load.transfer] : [])] : []));
  }

  private serve(manifest: Manifest): void {
    if (this.serving || this.destroyed) return;
    this.serving = true;
    this.state.manifest = manifest;
    this.state.phase = 'fetching';
    this.emit();
    this.served = new VersionLoad(this.loadHost(), manifest, openedFile(manifest, this.options.openPath), {
      progress: (stats) => {
        this.state.stats = stats;
        this.emit();
      },
      openedStored: () => {
        this.state.entryStored = true;
      },
      ready: () => {
        mark('ready');
        this.state.phase = 'ready';
        this.emit();
      },
    });
    void this.served.run().catch((err: unknown) => this.warn(`could not fetch the site's files: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Fetches a newer version in the background; offers a reload once it is complete. */
  private fetchPending(manifest: Manifest): void {
    if (this.destroyed) return;
    // Set before any await: the server and a peer may offer the same version at once.
    if (this.state.pending?.seq === manifest.seq) return;
    this.upcoming?.destroy();
    this.state.pending = manifest;
    this.state.updateReady = false;
    const load = new VersionLoad(this.loadHost(), manifest, undefined, {
      ready: () => {
        if (this.upcoming !== load) return;
        this.state.updateReady = true;
        this.emit();
      },
    });
    this.upcoming = load;
    void load.run().catch((err: unknown) => this.warn(`could not fetch version ${manifest.seq}: ${err instanceof Error ? err.message : String(err)}`));
  }

  private loadHost(): VersionLoadHost {
    return {
      peers: this.peers,
      seed: this.options.seed,
      seedBase: `${new URL(this.options.server).origin}/seed/`,
      originFirst: (manifest) => this.originFirst(manifest),
      exchangeHooks: () => this.exchangeHooks(),
      deps: this.deps,
      saveUsage: (source) => this.usage.save(source),
      warn: (m) => this.warn(m),
    };
  }

  /**
   * Whether the origin seed should send the files at once: when the server says no peer
   * holds the version, or the visitor chose "origin only". Otherwise peers go first (and
   * the origin seed still helps them inside the transfer when they are slow).
   */
  private async originFirst(manifest: Manifest): Promise<boolean> {
    if (this.options.swarm?.useOrigin === false) return false;
    if (this.serverSwarm?.infoHash === manifest.torrent.infoHash && this.serverSwarm.peers.seeders === 0) return true;
    // Peers may send it: WebTorrent loads while the settings are asked for. Settings that
    // are late never hold the visit: the transfer then starts on the origin seed alone,
    // and peers join it when the answer comes.
    this.peers.warm();
    const known = await Promise.race([this.peers.known(), new Promise<undefined>((r) => setTimeout(r, SETTINGS_WAIT_MS))]);
    return known?.settings.sharing === 'origin-only';
  }

  /**
   * Switches to the newer version once its files are all stored. The caller reloads
   * the page; the service worker then serves the new version to new page loads only.
   */
  async applyUpdate(): Promise<Manifest | undefined> {
    if (!this.state.updateReady) return undefined;
    return this.versions.promote();
  }


  /**
   * Hears of new versions while the page is open, and of the server going and coming
   * back: then the notice clears and trackers reconnect at once (src/site/server-watch.ts).
   */
  private watchServer(): void {
    if (this.destroyed || this.watch) return;
    this.watch = new ServerWatch({
      url: `${this.options.server}/api/sites/${this.options.address}`,
      fetch: this.deps.fetch,
      onManifest: async (candidate) => void (await this.consider(candidate, 'server')),
      onReachable: (reachable) => {
        this.state.serverReachable = reachable;
        this.emit();
      },
      // The server answers: a tracker socket it dropped (a restart) reconnects now, not on
      // bittorrent-tracker's minutes-long backoff.
      onAnswer: () => this.peers.swarm?.reconnectTrackers(),
      onDenied: () =>
        void this.versions.setDenied(true).then(async () => {
          await this.peers.destroy();
          this.fail('E_DENIED', 'the server refuses this address', 'denied');
        }),
    });
    this.watch.start(this.versions.newest(), this.state.serverReachable !== false);
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
    this.deps.filesChannel.close();
    for (const source of this.usageSources()) await this.usage.save(source);
    await this.peers.destroy();
  }
}
