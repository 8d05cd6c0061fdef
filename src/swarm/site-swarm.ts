import WebTorrent, { type Torrent, type Wire } from 'webtorrent/dist/webtorrent.min.js';
import { discoveryTorrent, torrentFile, type Manifest, type ManifestFile } from '../core/index.js';
import { manifestExchange, offerOnWires, type ManifestExchangeHooks } from './manifest-exchange.js';
import { SiteChunkStore } from './site-chunk-store.js';
import { quietTracker } from './quiet-tracker.js';

/** Help from the origin seed when peers alone would need longer than this for the rest. */
const SLOW_PEERS_MS = 4000;

/** Where this browser finds the swarm and the origin seed. */
export interface SwarmEndpoints {
  /** WebSocket tracker URLs, e.g. `ws://127.0.0.1:8080/announce`. */
  announce: string[];
  /** Origin seed base, e.g. `http://127.0.0.1:8080/seed/`; the info hash and `/` are appended. */
  seedBase: string;
}

export interface SiteSwarmOptions {
  endpoints: SwarmEndpoints;
  /** Use WebRTC peers at all. False is "origin only": no RTCPeerConnection is ever made. */
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

export interface TransferStats {
  fromPeers: number;
  fromOrigin: number;
  uploaded: number;
  peers: number;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  usingOrigin: boolean;
  /** Pieces whose bytes did not match the torrent's piece hash (a peer sent wrong data). */
  badPieces: number;
  /** Peers disconnected and refused for sending such pieces. */
  bannedPeers: number;
}

/**
 * One visitor's WebTorrent client for the sites open on this origin: joins a site's
 * discovery swarm (for manifest exchange) and fetches or seeds one torrent per version.
 */
export class SiteSwarm {
  readonly client: WebTorrent;
  private readonly options: Required<Omit<SiteSwarmOptions, 'rtcConfig' | 'warn'>> & Pick<SiteSwarmOptions, 'rtcConfig' | 'warn'>;
  private readonly discovery = new Map<string, Torrent>();
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
    if (!this.options.usePeers || this.discovery.has(address)) return;
    const d = await discoveryTorrent(address);
    const store = new SiteChunkStore({
      files: d.files.map((f) => ({ ...f, sha256: '', type: 'text/plain' })),
      pieceLength: d.torrent.pieceLength,
      stored: new Map([['', new Blob([d.bytes as BlobPart])]]),
      onFileComplete: async (_f, blob) => blob,
    });
    const quiet = quietTracker();
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
    return new VersionTransfer(this, manifest, stored, hooks, this.options);
  }

  /**
   * Applies the governor's current decision: this engine's share of the rate caps, and
   * no uploads at all when sharing is off (a zero rate stops the throttle at once).
   */
  applyLimits(limits: { uploadLimit: number; downloadLimit: number; upload: boolean; maxConns: number }): void {
    if (this.destroyed) return;
    // The rate cap applies to everything a wire sends, our own requests included, so it
    // never goes to zero; not sharing is done by choking every peer instead.
    this.client.throttleUpload(Math.max(limits.uploadLimit < 0 ? -1 : 1024, Math.floor(limits.uploadLimit)));
    this.client.throttleDownload(Math.floor(limits.downloadLimit));
    this.limitBursts();
    this.setUploading(limits.upload);
    // WebTorrent counts connections per torrent; each site has two (discovery and version).
    (this.client as unknown as { maxConns: number }).maxConns = Math.max(1, Math.floor(limits.maxConns / 2));
  }

  get peerConnections(): number {
    return this.client.torrents.reduce((n, t) => n + t.wires.filter((w) => w.type === 'webrtc').length, 0);
  }

  destroy(): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    this.destroyed = true;
    return new Promise((resolve) => this.client.destroy(() => resolve()));
  }
}

export interface TransferHooks {
  /**
   * Stores a verified file and returns the Blob to seed it from. The Blob is made of the
   * pieces as they arrived, so storing it never copies the whole file in the page.
   */
  fileVerified?(file: ManifestFile, blob: Blob): Promise<Blob>;
  /**
   * The same with the file's bytes in one buffer, for callers that need them; costs a
   * read of the whole file. Used only when `fileVerified` is not given.
   */
  fileComplete?(file: ManifestFile, bytes: Uint8Array): Promise<Blob>;
  progress?(stats: TransferStats): void;
  manifestExchange?: ManifestExchangeHooks;
  /** Pieces saved by an interrupted earlier transfer of this version. */
  resumePieces?: ReadonlyMap<number, Uint8Array | Blob>;
  /** Saves a new piece of an incomplete file so a later visit can resume. */
  savePiece?(index: number, bytes: Uint8Array): void;
  /** Called once when every file is stored (saved pieces can go). */
  finished?(): void;
  /** A completed file did not match its signed sha256; its pieces are fetched again. */
  fileRejected?(file: ManifestFile): void;
}

/** One version's torrent: downloading with progress, then seeding from the cache. */
export class VersionTransfer {
  readonly torrent: Torrent;
  readonly stats: TransferStats;
  /** Resolves when every file is stored. */
  readonly done: Promise<void>;
  private readonly store: SiteChunkStore;
  private watchdog?: ReturnType<typeof setInterval>;
  private resolveDone!: () => void;

  constructor(
    swarm: SiteSwarm,
    readonly manifest: Manifest,
    stored: ReadonlyMap<string, Blob>,
    hooks: TransferHooks,
    options: Required<Pick<SiteSwarmOptions, 'usePeers' | 'useOrigin' | 'originGraceMs'>> & Pick<SiteSwarmOptions, 'endpoints' | 'warn'>,
  ) {
    if (!hooks.fileVerified && !hooks.fileComplete) throw new TypeError('transfer hooks need "fileVerified" or "fileComplete" to store verified files');
    const bytesTotal = manifest.files.reduce((n, f) => n + f.size, 0);
    const filesDone = manifest.files.filter((f) => stored.has(f.sha256)).length;
    this.stats = {
      fromPeers: 0,
      fromOrigin: 0,
      uploaded: 0,
      peers: 0,
      filesDone,
      filesTotal: manifest.files.length,
      bytesDone: manifest.files.filter((f) => stored.has(f.sha256)).reduce((n, f) => n + f.size, 0),
      bytesTotal,
      usingOrigin: false,
      badPieces: 0,
      bannedPeers: 0,
    };
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    void this.done.then(() => hooks.finished?.());
    const report = () => hooks.progress?.({ ...this.stats });
    // Byte counters change with every block; tell the page at most four times a second.
    let reportTimer: ReturnType<typeof setTimeout> | undefined;
    const reportSoon = () => {
      reportTimer ??= setTimeout(() => {
        reportTimer = undefined;
        report();
      }, 250);
    };

    this.store = new SiteChunkStore({
      files: manifest.files,
      pieceLength: manifest.torrent.pieceLength,
      stored,
      onFileComplete: async (file, verified) => {
        const blob = hooks.fileVerified
          ? await hooks.fileVerified(file, verified)
          : await hooks.fileComplete!(file, new Uint8Array(await verified.arrayBuffer()));
        this.stats.filesDone++;
        this.stats.bytesDone += file.size;
        report();
        return blob;
      },
      onAllComplete: () => this.finish(),
      resumePieces: hooks.resumePieces,
      onPiece: hooks.savePiece,
      onFileRejected: (file) => {
        options.warn?.(`"${file.path}" did not match its signed hash; fetching it again`);
        hooks.fileRejected?.(file);
      },
    });
    const complete = this.store.complete();
    const seedUrl = `${options.endpoints.seedBase}${manifest.torrent.infoHash}/`;
    const torrentBytes = torrentFile(manifest.files, manifest.torrent, { announce: options.usePeers ? options.endpoints.announce : [] });
    const quiet = quietTracker();
    this.torrent = swarm.client.add(torrentBytes, {
      preloadedStore: this.store,
      storeCacheSlots: 0,
      getAnnounceOpts: quiet.getAnnounceOpts,
      ...(complete ? { skipVerify: true } : { bitfield: this.store.bitfield() }),
    });
    quiet.watch(this.torrent);
    this.torrent.on('warning', (err: Error) => options.warn?.(`transfer: ${err.message}`));
    // Which peers sent blocks of each piece still being checked, so a piece that fails its
    // hash can be blamed on them (WebTorrent only drops the piece and asks again, often
    // from the same peer, without end).
    const senders = new Map<number, Set<Wire>>();
    this.torrent.on('verified', (index: number) => senders.delete(index));
    this.torrent.on('warning', (err: Error) => {
      const bad = /^Piece (\d+) failed verification/.exec(err.message);
      if (!bad) return;
      this.stats.badPieces++;
      const index = Number(bad[1]);
      for (const wire of senders.get(index) ?? []) this.ban(wire, `sent piece ${index} with the wrong bytes`, options.warn);
      senders.delete(index);
      report();
    });
    this.torrent.on('wire', (wire: Wire) => {
      if (wire.peerId && this.banned.has(wire.peerId)) return void wire.destroy();
      swarm.guardWire(wire);
      if (wire.type !== 'webSeed') {
        wire.on('piece', (index: number) => {
          const set = senders.get(index) ?? new Set<Wire>();
          set.add(wire);
          senders.set(index, set);
        });
      }
      if (hooks.manifestExchange) wire.use(manifestExchange(hooks.manifestExchange));
      wire.on('download', (n: number) => {
        if (wire.type === 'webSeed') this.stats.fromOrigin += n;
        else this.stats.fromPeers += n;
        reportSoon();
      });
      wire.on('upload', (n: number) => {
        this.stats.uploaded += n;
        reportSoon();
      });
      this.stats.peers = this.torrent.wires.filter((w) => w.type !== 'webSeed').length;
      report();
      wire.once('close', () => {
        this.stats.peers = this.torrent.wires.filter((w) => w.type !== 'webSeed' && !w.destroyed).length;
        report();
      });
    });
    this.torrent.on('ready', () => {
      this.store.completeReadyFiles();
      this.prioritiseEntry();
    });
    if (complete) {
      queueMicrotask(() => this.finish());
      return;
    }

    // Ask the origin seed only when peers cannot do the job: at once when peers are off
    // or the tracker reports nobody else, otherwise after a grace period without progress.
    const useOrigin = () => {
      if (this.stats.usingOrigin || !options.useOrigin || this.torrent.destroyed) return;
      this.stats.usingOrigin = true;
      this.stopWatchdog();
      // Ask once whether the origin serves this version: WebTorrent retries a failing
      // webseed without end, and can keep a piece reserved for it that a peer would send.
      const probe = manifest.files.find((f) => f.size > 0) ?? manifest.files[0];
      const probeUrl = `${seedUrl}${encodeURIComponent(manifest.torrent.name)}/${probe.path.split('/').map(encodeURIComponent).join('/')}`;
      fetch(probeUrl, { method: 'HEAD', cache: 'no-store' }).then(
        (res) => {
          if (!res.ok) {
            options.warn?.(`the origin seed does not serve this version (${res.status}); peers only`);
            return;
          }
          // WebTorrent treats a one-file torrent's webseed URL as the file itself (BEP 19
          // says so for single-file torrents); give it the file's URL then.
          if (!this.torrent.destroyed) this.torrent.addWebSeed(manifest.files.length === 1 ? probeUrl : seedUrl);
          report();
        },
        () => options.warn?.('the origin seed is unreachable; peers only'),
      );
    };
    if (!options.usePeers) {
      this.torrent.once('ready', useOrigin);
    } else {
      const tracker = this.torrent.discovery?.tracker;
      const onUpdate = (data: { complete?: number; incomplete?: number }) => {
        if ((data.complete ?? 0) + (data.incomplete ?? 0) <= 1) useOrigin();
      };
      this.torrent.once('ready', () => this.torrent.discovery?.tracker?.on('update', onUpdate));
      tracker?.on('update', onUpdate);
      this.torrent.on('warning', useOrigin);
      // Peers that stall, or trickle so slowly that the rest would take more than a few
      // seconds, get the origin seed's help; peers that keep up are left to do the job.
      let lastBytes = -1;
      let stalledSince = Date.now();
      const startedAt = Date.now();
      this.watchdog = setInterval(() => {
        const bytes = this.stats.fromPeers + this.stats.fromOrigin;
        const now = Date.now();
        if (bytes !== lastBytes) {
          lastBytes = bytes;
          stalledSince = now;
        }
        if (now - stalledSince >= options.originGraceMs) return useOrigin();
        const elapsed = now - startedAt;
        if (elapsed >= options.originGraceMs && bytes > 0) {
          const remaining = this.stats.bytesTotal - this.stats.bytesDone;
          const rate = bytes / elapsed;
          if (remaining / rate > SLOW_PEERS_MS) useOrigin();
        }
      }, 250);
    }
  }

  /** Peer ids refused for the rest of this transfer. */
  private readonly banned = new Set<string>();

  /** A misbehaving peer is a warning and a ban, never a crash (STYLE.md rule 11). */
  private ban(wire: Wire, why: string, warn?: (message: string) => void): void {
    if (wire.type === 'webSeed') return; // The origin seed's bytes fail only if the server is broken; it is not banned.
    if (wire.peerId && !this.banned.has(wire.peerId)) {
      this.banned.add(wire.peerId);
      this.stats.bannedPeers++;
      warn?.(`disconnected a peer that ${why}`);
    }
    wire.destroy();
  }

  /** The entry page first: a visitor sees the page while images and the rest follow. */
  private prioritiseEntry(): void {
    let offset = 0;
    for (const file of this.manifest.files) {
      if (file.path === this.manifest.entry && file.size > 0) {
        const pl = this.manifest.torrent.pieceLength;
        this.torrent.critical(Math.floor(offset / pl), Math.floor((offset + file.size - 1) / pl));
      }
      offset += file.size;
    }
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private finish(): void {
    this.stopWatchdog();
    this.resolveDone();
  }

  destroy(): void {
    this.finish();
    if (!this.torrent.destroyed) this.torrent.destroy();
  }
}
