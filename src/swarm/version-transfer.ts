import type WebTorrent from 'webtorrent/dist/webtorrent.min.js';
import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js';
import { isCoreError, torrentFile, type Manifest, type ManifestFile } from '../core/index.js';
import { manifestExchange, type ManifestExchangeHooks } from './manifest-exchange.js';
import { SiteChunkStore } from './site-chunk-store.js';
import { storeLease } from './store-lease.js';
import { statsOf } from './transfer-stats.js';
import { quietTracker } from './quiet-tracker.js';
import { nobodyElse, watchOrigin } from './origin-watchdog.js';
import { blameBook, failedPiece, pieceSenders, webSeedPeerId } from './piece-blame.js';

/** Where this browser finds the swarm and the origin seed. */
export interface SwarmEndpoints {
  /** WebSocket tracker URLs, e.g. `ws://127.0.0.1:8080/announce`. */
  announce: string[];
  /** Origin seed base, e.g. `http://127.0.0.1:8080/seed/`; the info hash and `/` are appended. */
  seedBase: string;
  /** More webseed bases in the same layout (the operator's mirrors, src/swarm/extra-endpoints.ts); each probed before use. */
  mirrors?: string[];
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

export interface TransferHooks {
  /**
   * Stores a verified file and returns the Blob to seed it from. The Blob is made of the
   * pieces as they arrived, so storing it never copies the whole file in the page.
   */
  fileVerified(file: ManifestFile, blob: Blob): Promise<Blob>;
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

/**
 * The swarm's options a transfer reads each time it attaches a torrent. The swarm hands
 * its own options object, so a transfer re-attached after `usePeers` changed sees it.
 */
export interface TransferOptions {
  endpoints: SwarmEndpoints;
  usePeers: boolean;
  useOrigin: boolean;
  originGraceMs: number;
  warn?: (message: string) => void;
}

/** What a transfer needs of the swarm it runs in. */
export interface TransferHost {
  readonly client: WebTorrent;
  /** Every peer wire goes through here (uploads may be off). */
  guardWire(wire: Wire): void;
  /** The transfer is destroyed: stop tracking it. */
  forget(transfer: VersionTransfer): void;
}

/**
 * WebTorrent keeps 2 + (speed × 0.5 s ÷ 16 KiB) block requests outstanding on a wire, so
 * a new connection starts with two requests in flight and deepens only as its measured
 * speed grows: on a fast link most of a small site's transfer happens in that slow start.
 * Starting as if the wire already ran at PIPELINE_FLOOR_BYTES_PER_S keeps some 30 blocks
 * in flight from the first request; a peer's own limit (`reqq`) still holds, and the
 * real speed takes over once it is higher.
 */
const PIPELINE_FLOOR_BYTES_PER_S = 1024 * 1024;

function deepenPipeline(wire: Wire): void {
  const measured = (wire as unknown as { downloadSpeed(): number }).downloadSpeed.bind(wire);
  (wire as unknown as { downloadSpeed(): number }).downloadSpeed = () => Math.max(measured(), PIPELINE_FLOOR_BYTES_PER_S);
}

/**
 * One version's files: downloading with progress, then seeding from the cache. The
 * transfer outlives its torrent: `reattach()` moves it to a torrent with or without
 * trackers while the pieces it holds, its counters and `done` carry on.
 */
export class VersionTransfer {
  readonly stats: TransferStats;
  /** Resolves when every file is stored. */
  readonly done: Promise<void>;
  private readonly store: SiteChunkStore;
  private current!: Torrent;
  /** Stops the current torrent's origin watchdog; a no-op when none runs. */
  private stopWatchdog: () => void = () => {};
  private resolveDone!: () => void;
  private destroyed = false;
  /** The origin seed's and mirrors' URLs once they answered for this version; a new torrent gets them at once. */
  private readonly webSeedUrls: string[] = [];
  /** Peers and mirrors that sent pieces failing their hash, refused for the rest of this transfer. */
  private readonly blame = blameBook();
  private readonly report: () => void;
  private readonly reportSoon: () => void;

  constructor(
    private readonly host: TransferHost,
    readonly manifest: Manifest,
    stored: ReadonlyMap<string, Blob>,
    private readonly hooks: TransferHooks,
    private readonly options: TransferOptions,
  ) {
    this.stats = statsOf(manifest, stored);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    void this.done.then(() => hooks.finished?.());
    this.report = () => hooks.progress?.({ ...this.stats });
    // Byte counters change with every block; tell the page at most four times a second.
    let reportTimer: ReturnType<typeof setTimeout> | undefined;
    this.reportSoon = () => {
      reportTimer ??= setTimeout(() => {
        reportTimer = undefined;
        this.report();
      }, 250);
    };
    this.store = new SiteChunkStore({
      files: manifest.files,
      pieceLength: manifest.torrent.pieceLength,
      stored,
      onFileComplete: async (file, verified) => {
        const blob = await hooks.fileVerified(file, verified);
        this.stats.filesDone++;
        this.stats.bytesDone += file.size;
        // At most four reports a second: a site of 10,000 small files completes thousands at once.
        this.reportSoon();
        return blob;
      },
      onAllComplete: () => this.finish(),
      resumePieces: hooks.resumePieces,
      onPiece: hooks.savePiece,
      onFileRejected: (file, err) => {
        // Said as what it is: a storage write that failed (a full disk, a page closing)
        // is not a peer's wrong bytes.
        if (isCoreError(err) && err.code === 'E_HASH_MISMATCH') options.warn?.(`"${file.path}" did not match its signed hash; fetching it again`);
        else if (!this.destroyed) options.warn?.(`"${file.path}" could not be stored (${err instanceof Error ? err.message.slice(0, 120) : 'storage failed'}); fetching it again`);
        hooks.fileRejected?.(file);
      },
    });
    this.attach();
  }

  /** The torrent this transfer runs on now (a new one after `reattach`). */
  get torrent(): Torrent {
    return this.current;
  }

  /**
   * Moves the transfer to a new torrent that follows the swarm's options as they are now
   * (peers on or off). Every piece already received stays: the store is kept, and the new
   * torrent starts from its bitfield. Only blocks of pieces still in flight are asked again.
   */
  reattach(): void {
    if (this.destroyed) return;
    this.stopWatchdog();
    if (!this.current.destroyed) this.current.destroy();
    this.attach();
  }

  private attach(): void {
    const { manifest, options } = this;
    const complete = this.store.complete();
    const torrentBytes = torrentFile(manifest.files, manifest.torrent, { announce: options.usePeers ? options.endpoints.announce : [] });
    const quiet = quietTracker();
    const torrent = this.host.client.add(torrentBytes, {
      preloadedStore: storeLease(this.store),
      storeCacheSlots: 0,
      getAnnounceOpts: quiet.getAnnounceOpts,
      ...(complete ? { skipVerify: true } : { bitfield: this.store.bitfield() }),
    });
    this.current = torrent;
    quiet.watch(torrent);
    torrent.on('warning', (err: Error) => options.warn?.(`transfer: ${err.message}`));
    this.watchWires(torrent);
    torrent.on('ready', () => {
      this.store.completeReadyFiles();
      this.prioritiseEntry();
      for (const url of this.webSeedUrls) if (!torrent.destroyed) torrent.addWebSeed(url);
    });
    if (complete) {
      queueMicrotask(() => this.finish());
      return;
    }
    if (!this.stats.usingOrigin) this.chooseOrigin(torrent);
  }

  /** Counts bytes by source, blames peers for pieces that fail their hash, and adds the manifest exchange. */
  private watchWires(torrent: Torrent): void {
    const senders = pieceSenders<Wire>();
    torrent.on('verified', (index: number) => senders.verified(index));
    torrent.on('warning', (err: Error) => {
      const index = failedPiece(err.message);
      if (index === undefined) return;
      this.stats.badPieces++;
      for (const wire of senders.failed(index)) this.ban(wire, `sent piece ${index} with the wrong bytes`);
      this.report();
    });
    const peersNow = () => torrent.wires.filter((w) => w.type !== 'webSeed' && !w.destroyed).length;
    torrent.on('wire', (wire: Wire) => {
      if (this.blame.refused(wire.peerId)) return void wire.destroy();
      this.host.guardWire(wire);
      if (wire.type !== 'webSeed') deepenPipeline(wire);
      // Webseeds too: a mirror is blamed for a bad piece like a peer (the origin seed is not, see `ban`).
      wire.on('piece', (index: number) => senders.sent(index, wire));
      if (this.hooks.manifestExchange) wire.use(manifestExchange(this.hooks.manifestExchange));
      wire.on('download', (n: number) => {
        if (wire.type === 'webSeed') this.stats.fromOrigin += n;
        else this.stats.fromPeers += n;
        this.reportSoon();
      });
      wire.on('upload', (n: number) => {
        this.stats.uploaded += n;
        this.reportSoon();
      });
      this.stats.peers = peersNow();
      this.report();
      wire.once('close', () => {
        if (torrent !== this.current) return; // A torrent left behind by `reattach`.
        this.stats.peers = peersNow();
        this.report();
      });
    });
  }

  /**
   * Asks the origin seed only when peers cannot do the job: at once when peers are off or
   * the tracker reports nobody else, otherwise after a grace period without progress.
   */
  private chooseOrigin(torrent: Torrent): void {
    const { manifest, options } = this;
    const useOrigin = () => {
      if (this.stats.usingOrigin || !options.useOrigin || torrent.destroyed) return;
      this.stats.usingOrigin = true;
      this.stopWatchdog();
      // Ask each seed once whether it serves this version: WebTorrent retries a failing
      // webseed without end, and can keep a piece reserved for it that a peer would send.
      // A mirror is checked the same way as the origin; its bytes are hash-checked like any peer's.
      const probe = manifest.files.find((f) => f.size > 0) ?? manifest.files[0];
      const bases = [options.endpoints.seedBase, ...(options.endpoints.mirrors ?? [])];
      bases.forEach((base, i) => {
        const what = i === 0 ? 'the origin seed' : `the mirror ${new URL(base).host}`;
        const seedUrl = `${base}${manifest.torrent.infoHash}/`;
        const probeUrl = `${seedUrl}${encodeURIComponent(manifest.torrent.name)}/${probe.path.split('/').map(encodeURIComponent).join('/')}`;
        fetch(probeUrl, { method: 'HEAD', cache: 'no-store' }).then(
          (res) => {
            const length = res.headers.get('content-length');
            if (!res.ok || (length !== null && Number(length) !== probe.size)) {
              options.warn?.(`${what} does not serve this version (${res.status}); ${i === 0 ? 'peers and mirrors' : 'not using it'}`);
              return;
            }
            // WebTorrent treats a one-file torrent's webseed URL as the file itself (BEP 19
            // says so for single-file torrents); give it the file's URL then.
            const url = manifest.files.length === 1 ? probeUrl : seedUrl;
            if (this.webSeedUrls.includes(url) || this.blame.badMirror(url)) return;
            this.webSeedUrls.push(url);
            if (i > 0) void webSeedPeerId(url).then((id) => this.blame.addMirror(id, url));
            // The torrent now, which is a newer one if the transfer moved meanwhile.
            if (!this.current.destroyed && this.current.ready) this.current.addWebSeed(url);
            this.report();
          },
          () => options.warn?.(`${what} is unreachable; not using it`),
        );
      });
    };
    if (!options.usePeers) {
      torrent.once('ready', useOrigin);
      return;
    }
    const onUpdate = (counts: { complete?: number; incomplete?: number }) => {
      if (nobodyElse(counts)) useOrigin();
    };
    torrent.once('ready', () => torrent.discovery?.tracker?.on('update', onUpdate));
    torrent.discovery?.tracker?.on('update', onUpdate);
    torrent.on('warning', useOrigin);
    this.stopWatchdog = watchOrigin({
      graceMs: options.originGraceMs,
      progress: () => ({ bytes: this.stats.fromPeers + this.stats.fromOrigin, remaining: this.stats.bytesTotal - this.stats.bytesDone }),
      needed: useOrigin,
    });
  }

  /** A misbehaving peer is a warning and a ban, never a crash (STYLE.md rule 11). */
  private ban(wire: Wire, why: string): void {
    const verdict = this.blame.blame(wire);
    if (verdict.kind === 'origin') return;
    if (verdict.kind === 'mirror') {
      const i = this.webSeedUrls.indexOf(verdict.url);
      if (i >= 0) this.webSeedUrls.splice(i, 1);
      if (verdict.first) this.options.warn?.(`the mirror ${new URL(verdict.url).host} ${why}; not using it`);
    } else if (verdict.first) {
      this.stats.bannedPeers++;
      this.options.warn?.(`disconnected a peer that ${why}`);
    }
    wire.destroy();
  }

  /** The entry page first: a visitor sees the page while images and the rest follow. */
  private prioritiseEntry(): void {
    let offset = 0;
    for (const file of this.manifest.files) {
      if (file.path === this.manifest.entry && file.size > 0) {
        const pl = this.manifest.torrent.pieceLength;
        this.current.critical(Math.floor(offset / pl), Math.floor((offset + file.size - 1) / pl));
      }
      offset += file.size;
    }
  }

  private finish(): void {
    this.stopWatchdog();
    this.resolveDone();
  }

  /** Safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.finish();
    if (!this.current.destroyed) this.current.destroy();
    this.store.close();
    this.host.forget(this);
  }
}
