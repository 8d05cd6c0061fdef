import type { Manifest, ManifestFile } from '../core/index.js';
import { getBlob, putVerifiedBlobs, storedBlobs } from '../store/site-cache.js';
import { loadPieces } from '../store/piece-cache.js';
import type { FilesStoredMessage } from '../sw/messages.js';
import type { ManifestExchangeHooks } from '../swarm/manifest-exchange.js';
import type { TransferStats, VersionTransfer } from '../swarm/site-swarm.js';
import { statsOf } from '../swarm/transfer-stats.js';
import type { EnginePeers } from './engine-peers.js';
import { fetchFromOrigin, fetchOrder, StoreBatcher, type VerifiedFile } from './origin-files.js';
import type { EngineDeps } from './engine-deps.js';
import { resumeHooks } from './resume-hooks.js';
import type { UsageCounts } from './usage-report.js';
import { mark } from './marks.js';
import { routeRequest } from '../sw/route.js';

/** Files from this size on are seeded from IndexedDB's copy rather than the Blob built as they arrived. */
const DISK_BACKED_BYTES = 1024 * 1024;

/** What a version's load needs of its engine. */
export interface VersionLoadHost {
  peers: EnginePeers;
  /** Join the swarm to seed once every file is stored (the boot page does not). */
  seed: boolean;
  /** The origin seed's base URL, e.g. `http://<address>.localhost:8080/seed/`. */
  seedBase: string;
  /** Whether the origin seed sends the files at once (nobody else holds them, or "origin only"). */
  originFirst(manifest: Manifest): Promise<boolean>;
  exchangeHooks(): ManifestExchangeHooks;
  /** The engine's stores, network and channel to the service worker. */
  deps: EngineDeps;
  saveUsage(source: { stats: UsageCounts }): Promise<void>;
  warn(message: string): void;
}

export interface VersionLoadEvents {
  /** Counters changed (files stored, bytes moved). */
  progress?(stats: TransferStats): void;
  /** The page the visitor opened is stored. */
  openedStored?(): void;
  /** Every file is stored. */
  ready(): void;
}

/**
 * Gets every missing file of one version: straight from the origin seed when nobody else
 * can send it, then (or else) through the swarm, which also seeds what is stored.
 */
export class VersionLoad {
  transfer?: VersionTransfer;
  /** What came straight from the origin seed, before any transfer. */
  readonly download: { stats: UsageCounts } = { stats: { fromPeers: 0, fromOrigin: 0, uploaded: 0 } };
  private stats?: TransferStats;
  private stored = new Map<string, Blob>();
  /** Files and bytes per content hash (files with the same content are stored once). */
  private readonly bySha = new Map<string, { files: number; bytes: number }>();
  private destroyed = false;
  private readonly batcher = new StoreBatcher((batch) => this.storeFiles(batch));

  constructor(
    private readonly host: VersionLoadHost,
    readonly manifest: Manifest,
    /** The page the visitor opened, for the served version. */
    private readonly opened: ManifestFile | undefined,
    private readonly events: VersionLoadEvents,
  ) {
    for (const f of manifest.files) {
      const n = this.bySha.get(f.sha256) ?? { files: 0, bytes: 0 };
      this.bySha.set(f.sha256, { files: n.files + 1, bytes: n.bytes + f.size });
    }
  }

  /** The counters as of now: the transfer's, plus what came straight from the origin. */
  get liveStats(): TransferStats | undefined {
    if (!this.transfer) return this.stats && { ...this.stats };
    const direct = this.download.stats.fromOrigin;
    return { ...this.transfer.stats, fromOrigin: this.transfer.stats.fromOrigin + direct, usingOrigin: this.transfer.stats.usingOrigin || direct > 0 };
  }

  async run(): Promise<void> {
    const { manifest, host } = this;
    this.stored = await storedBlobs(manifest, host.deps.stores);
    if (this.destroyed) return;
    if (this.opened && this.stored.has(this.opened.sha256)) this.events.openedStored?.();
    this.stats = statsOf(manifest, this.stored);
    this.events.progress?.({ ...this.stats });
    const missing = manifest.files.filter((f) => !this.stored.has(f.sha256));
    if (missing.length && (await host.originFirst(manifest))) await this.fetchDirect(missing);
    if (this.destroyed) return;
    const complete = manifest.files.every((f) => this.stored.has(f.sha256));
    if (complete) this.events.ready();
    if (complete && !host.seed) return;
    let swarm: Awaited<ReturnType<EnginePeers['start']>>;
    try {
      swarm = await host.peers.start();
    } catch (err) {
      // The page is going away (its import was cancelled), or the peer engine cannot load here.
      host.warn(`the peer engine did not load (${err instanceof Error ? err.message : String(err)}); ${complete ? 'not seeding' : 'the rest of the site cannot be fetched'}`);
      return;
    }
    const resumePieces = complete ? new Map<number, Uint8Array>() : await loadPieces(manifest.torrent.infoHash, host.deps.pieces);
    if (this.destroyed) return;
    this.transfer = swarm.transfer(manifest, this.stored, {
      ...resumeHooks(manifest.torrent.infoHash, resumePieces, (m) => host.warn(m), host.deps.pieces),
      // Files that complete together (many small ones) share one storage transaction.
      fileVerified: async (file, blob) => {
        await this.batcher.add({ file, blob });
        return this.stored.get(file.sha256) ?? blob;
      },
      progress: () => this.events.progress?.(this.liveStats!),
      manifestExchange: host.exchangeHooks(),
    });
    mark('transfer');
    const transfer = this.transfer;
    void transfer.done.then(() => {
      if (this.destroyed) return;
      void host.saveUsage(transfer);
      if (!complete) this.events.ready();
    });
  }

  /** Whole files from the origin seed, in the order the page needs them; what fails is left to the swarm. */
  private async fetchDirect(missing: ManifestFile[]): Promise<void> {
    const { manifest, host } = this;
    this.stats!.usingOrigin = true;
    mark('origin-direct');
    const result = await fetchFromOrigin({
      manifest,
      files: fetchOrder(missing, this.opened?.path ?? manifest.entry),
      seedBase: host.seedBase,
      fetch: host.deps.fetch,
      store: (batch) => this.storeFiles(batch),
      onBytes: (n) => {
        this.download.stats.fromOrigin += n;
        this.stats!.fromOrigin += n;
      },
    });
    if (result.refused) host.warn(`the origin seed does not serve this version (${result.refused}); asking peers`);
    else if (result.failed.length) host.warn(`${result.failed.length} file(s) did not come intact from the origin seed (${result.failed[0].reason}); asking peers`);
    void host.saveUsage(this.download);
  }

  /** Stores verified files in one transaction and tells the service worker, which may be waiting for them. */
  private async storeFiles(batch: readonly VerifiedFile[]): Promise<void> {
    // The bytes were checked against the manifest's sha256 (origin-files.ts, the chunk store).
    await putVerifiedBlobs(
      batch.map(({ file, blob }) => ({ sha256: file.sha256, blob })),
      this.host.deps.stores,
    );
    const message: FilesStoredMessage = { type: 'files-stored', sha256s: batch.map((b) => b.file.sha256) };
    this.host.deps.filesChannel.postMessage(message);
    let opened = false;
    for (const { file, blob } of batch) {
      if (this.opened?.sha256 === file.sha256) opened = true;
      // A transfer counts its own files; before it exists, the direct download's are counted here.
      if (!this.transfer && this.stats && !this.stored.has(file.sha256)) {
        const counted = this.bySha.get(file.sha256);
        this.stats.filesDone += counted?.files ?? 1;
        this.stats.bytesDone += counted?.bytes ?? file.size;
      }
      this.stored.set(file.sha256, blob);
    }
    // A large file's Blob was built in memory from what arrived; the copy IndexedDB now
    // holds is on disk. Seeding from that one lets the memory go once nothing else holds it.
    for (const { file } of batch) {
      if (file.size < DISK_BACKED_BYTES) continue;
      const onDisk = await getBlob(file.sha256, this.host.deps.stores).catch(() => undefined);
      if (onDisk?.size === file.size) this.stored.set(file.sha256, onDisk);
    }
    if (opened) this.events.openedStored?.();
    if (!this.transfer && this.stats) this.events.progress?.({ ...this.stats });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.transfer?.destroy();
  }
}

/** The file the visitor opened (a deep link), or the entry: a large site opens once it is stored. */
export function openedFile(manifest: Manifest, openPath: string | undefined): ManifestFile | undefined {
  const route = openPath ? routeRequest(manifest, openPath) : undefined;
  const path = route?.kind === 'file' ? route.file.path : manifest.entry;
  return manifest.files.find((f) => f.path === path);
}
