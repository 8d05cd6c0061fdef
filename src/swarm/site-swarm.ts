// Before webtorrent: its bundle probes the Origin Private File System as it loads (see the guard).
import './opfs-import-guard.js';
import WebTorrent, { type ClientOptions, type Torrent, type Wire } from 'webtorrent/dist/webtorrent.min.js';
import { discoveryTorrent, torrentFile, type Manifest } from '../core/index.js';
import { manifestExchange, offerOnWires, type ManifestExchangeHooks } from './manifest-exchange.js';
import { SiteChunkStore } from './site-chunk-store.js';
import { quietTracker } from './quiet-tracker.js';
import { reconnectTrackers } from './tracker-reconnect.js';
import { VersionTransfer, type SwarmEndpoints, type TransferHooks } from './version-transfer.js';

export { VersionTransfer, type SwarmEndpoints, type TransferHooks, type TransferStats } from './version-transfer.js';

/** The block size of BitTorrent requests (BEP 3 recommends 16 KiB; WebTorrent asks for that). */
const BLOCK_BYTES = 16 * 1024;

export interface SiteSwarmOptions {
  endpoints: SwarmEndpoints;
  /**
   * Use WebRTC peers at all. False is "origin only": the client has no tracker, so no
   * tracker socket and no RTCPeerConnection is ever made (until `setPeers(true)`).
   */
  usePeers?: boolean;
  /** Use the origin seed. */
  useOrigin?: boolean;
  /** Most peer connections for this browser (WebTorrent counts per torrent). Default 8. */
  maxConns?: number;
  /** Serve pieces to peers at all (false: download only). */
  upload?: boolean;
  /** Bytes per second; -1 for no cap. */
  uploadLimit?: number;
  downloadLimit?: number;
  rtcConfig?: RTCConfiguration;
  /** How long to wait for peers before also asking the origin seed, when the tracker says peers exist. */
  originGraceMs?: number;
  warn?: (message: string) => void;
}

/**
 * One visitor's WebTorrent client for the sites open on this origin: joins a site's
 * discovery swarm (for manifest exchange) and fetches or seeds one torrent per version.
 */
export class SiteSwarm {
  readonly client: WebTorrent;
  private readonly options: Required<Omit<SiteSwarmOptions, 'rtcConfig' | 'warn'>> & Pick<SiteSwarmOptions, 'rtcConfig' | 'warn'>;
  private readonly discovery = new Map<string, Torrent>();
  private readonly transfers = new Set<VersionTransfer>();
  /** Discovery swarms being joined (building the torrent is async). */
  private readonly joining = new Set<string>();
  private destroyed = false;

  constructor(options: SiteSwarmOptions) {
    this.options = {
      usePeers: true,
      useOrigin: true,
      upload: true,
      maxConns: 8,
      uploadLimit: -1,
      downloadLimit: -1,
      originGraceMs: 1500,
      ...options,
    };
    this.uploading = this.options.upload;
    this.uploadCap = this.options.uploadLimit < 0 ? -1 : Math.max(1024, this.options.uploadLimit);
    this.client = new WebTorrent({
      maxConns: Math.max(1, Math.floor(this.options.maxConns / 2)),
      uploadLimit: this.options.uploadLimit < 0 ? -1 : Math.max(1024, this.options.uploadLimit),
      downloadLimit: this.options.downloadLimit,
      utPex: false,
      dht: false,
      lsd: false,
      tracker: this.options.usePeers ? { rtcConfig: this.options.rtcConfig } : false,
    });
    this.client.on('error', (err: Error) => this.options.warn?.(`peer engine error: ${err.message}`));
    this.limitBursts();
  }

  /**
   * WebTorrent's throttle is a token bucket holding one second of tokens, so after a
   * pause it lets out a full second's worth at once. A tenth of a second keeps every
   * window close to the cap (the visitor's cap holds within 10 %).
   */
  private limitBursts(): void {
    type Group = { getChunksize(): number; getRate(): number; bucket?: { bucketSize: number; content: number } };
    const groups = (this.client as unknown as { throttleGroups?: { up: Group; down: Group } }).throttleGroups;
    for (const group of [groups?.up, groups?.down]) {
      if (!group?.bucket || group.getRate() <= 0) continue;
      group.bucket.bucketSize = Math.max(group.getChunksize(), Math.floor(group.getRate() / 10));
      group.bucket.content = Math.min(group.bucket.content, group.bucket.bucketSize);
    }
  }

  private uploading = true;
  /** Bytes per second this browser uploads at most; -1 for no cap. */
  private uploadCap = -1;

  /**
   * Stops or resumes serving pieces to peers: choking a peer ends its pending requests
   * at once (BEP 3), and while uploads are off a peer is never unchoked again.
   */
  setUploading(uploading: boolean): void {
    this.uploading = uploading;
    if (uploading) return;
    for (const torrent of this.client.torrents) for (const wire of torrent.wires) if (wire.type !== 'webSeed') wire.choke();
  }

  /** Every peer wire goes through here: it may only be unchoked while uploads are on. */
  guardWire(wire: Wire): void {
    if (wire.type === 'webSeed') return;
    // How many block requests a peer may keep outstanding here (BEP 10 `reqq`). Under an
    // upload cap, every answered request waits in the throttle, and "stop sharing" cannot
    // take back what waits there: about a quarter second of the cap, no more.
    const cap = this.uploadCap;
    if (cap >= 0) (wire as unknown as { extendedHandshake: Record<string, unknown> }).extendedHandshake.reqq = Math.max(2, Math.ceil((cap * 0.25) / BLOCK_BYTES));
    const unchoke = wire.unchoke.bind(wire);
    wire.unchoke = () => {
      if (this.uploading) unchoke();
    };
  }

  get usesPeers(): boolean {
    return this.options.usePeers && !this.destroyed;
  }

  private get announce(): string[] {
    return this.options.usePeers ? this.options.endpoints.announce : [];
  }

  /**
   * Joins the address's discovery swarm, where peers exchange signed manifests. Its one
   * 52-byte file is the address itself, so every visitor can seed it.
   */
  async joinDiscovery(address: string, hooks: ManifestExchangeHooks): Promise<void> {
    if (!this.options.usePeers || this.discovery.has(address) || this.joining.has(address)) return;
    this.joining.add(address);
    const d = await discoveryTorrent(address).finally(() => this.joining.delete(address));
    // Peers may have been turned off meanwhile.
    if (!this.options.usePeers || this.destroyed || this.discovery.has(address)) return;
    const store = new SiteChunkStore({
      files: d.files.map((f) => ({ ...f, sha256: '', type: 'text/plain' })),
      pieceLength: d.torrent.pieceLength,
      stored: new Map([['', new Blob([d.bytes as BlobPart])]]),
      onFileComplete: async (_f, blob) => blob,
    });
    const quiet = quietTracker((others) => {
      this.discoveryOthers.set(address, others);
      for (const notify of this.othersWaiting.splice(0)) notify();
    });
    const torrent = this.client.add(torrentFile(d.files, d.torrent, { announce: this.announce }), {
      preloadedStore: store,
      storeCacheSlots: 0,
      skipVerify: true,
      getAnnounceOpts: quiet.getAnnounceOpts,
    });
    quiet.watch(torrent);
    torrent.on('wire', (wire: Wire) => {
      this.guardWire(wire);
      wire.use(manifestExchange(hooks));
    });
    torrent.on('warning', (err: Error) => this.options.warn?.(`discovery: ${err.message}`));
    this.discovery.set(address, torrent);
  }

  private readonly discoveryOthers = new Map<string, number>();
  private readonly othersWaiting: (() => void)[] = [];

  /**
   * How many other browsers the tracker counts in the address's discovery swarm: known
   * after its first announce answer; undefined when not joined or no answer within `timeoutMs`.
   */
  async discoveryPeers(address: string, timeoutMs: number): Promise<number | undefined> {
    const known = this.discoveryOthers.get(address);
    if (known !== undefined || !this.discovery.has(address)) return known;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.othersWaiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.discoveryOthers.get(address);
  }

  /** Sends our newest manifest to every connected peer of the address that has an older one. */
  announceManifest(address: string, versionTorrents: Torrent[] = []): void {
    const wires = [...(this.discovery.get(address)?.wires ?? []), ...versionTorrents.flatMap((t) => t.wires)];
    offerOnWires(wires);
  }

  /**
   * Fetches (or, when every file is stored, seeds) one version of a site. Stored files
   * are reused without hashing them again: their sha256 was checked when stored.
   */
  transfer(manifest: Manifest, stored: ReadonlyMap<string, Blob>, hooks: TransferHooks): VersionTransfer {
    const transfer = new VersionTransfer(this, manifest, stored, hooks, this.options);
    this.transfers.add(transfer);
    return transfer;
  }

  /** A transfer was destroyed (called by the transfer). */
  forget(transfer: VersionTransfer): void {
    this.transfers.delete(transfer);
  }

  /**
   * Starts or stops using peers while transfers run: the visitor's choice became known,
   * or changed. Off ends every peer connection and tracker socket at once. Each running
   * transfer moves to a new torrent with (or without) trackers and keeps every piece it
   * holds, so nothing already fetched is fetched again and its `done` still resolves.
   * Discovery swarms are left; the caller joins them again when peers are on.
   */
  setPeers(usePeers: boolean, rtcConfig?: RTCConfiguration): void {
    if (this.destroyed) return;
    const sameConfig = JSON.stringify(rtcConfig ?? null) === JSON.stringify(this.options.rtcConfig ?? null);
    if (usePeers === this.options.usePeers && (!usePeers || sameConfig)) return;
    this.options.usePeers = usePeers;
    this.options.rtcConfig = rtcConfig;
    // WebTorrent reads the client's tracker options each time a torrent starts discovery.
    (this.client as unknown as { tracker: ClientOptions['tracker'] }).tracker = usePeers ? { rtcConfig } : false;
    for (const torrent of this.discovery.values()) torrent.destroy();
    this.discovery.clear();
    for (const transfer of this.transfers) transfer.reattach();
  }

  /**
   * Applies the governor's current decision: this engine's share of the rate caps, and
   * no uploads at all when sharing is off (a zero rate stops the throttle at once).
   */
  applyLimits(limits: { uploadLimit: number; downloadLimit: number; upload: boolean; maxConns: number }): void {
    if (this.destroyed) return;
    // The rate cap applies to everything a wire sends, our own requests included, so it
    // never goes to zero; not sharing is done by choking every peer instead.
    this.uploadCap = limits.uploadLimit < 0 ? -1 : Math.max(1024, Math.floor(limits.uploadLimit));
    this.client.throttleUpload(this.uploadCap);
    this.client.throttleDownload(Math.floor(limits.downloadLimit));
    this.limitBursts();
    this.setUploading(limits.upload);
    // WebTorrent counts connections per torrent; each site has two (discovery and version).
    (this.client as unknown as { maxConns: number }).maxConns = Math.max(1, Math.floor(limits.maxConns / 2));
  }

  get peerConnections(): number {
    return this.client.torrents.reduce((n, t) => n + t.wires.filter((w) => w.type === 'webrtc').length, 0);
  }

  /** The server answers again: trackers waiting out their backoff reconnect now (see tracker-reconnect.ts). */
  reconnectTrackers(): number {
    return this.destroyed ? 0 : reconnectTrackers(this.client);
  }

  destroy(): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    this.destroyed = true;
    return new Promise((resolve) => this.client.destroy(() => resolve()));
  }
}
