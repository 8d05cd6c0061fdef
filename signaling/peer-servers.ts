import { parseManifestJson, verifyManifest, type Manifest, type SiteLimits } from '../src/core/index.js';
import type { Logger } from './log.js';
import { getFromSiteOrigin } from './site-origin-request.js';
import type { SiteStore } from './storage.js';

/**
 * Sent on a server's own manifest requests to its peers: the peer answers from its store
 * only, so two servers that are each other's peers never ask each other in a loop.
 */
export const PEER_LOOKUP_HEADER = 'x-p2p-peer-lookup';

export interface PeerServersOptions {
  /** Base URLs of the other servers (`--peer-server`), without a trailing `/`. */
  urls: readonly string[];
  store: SiteStore;
  /** The limits this server applies to manifests it is sent: a peer's manifests get the same. */
  siteLimits: SiteLimits;
  maxBodyBytes: number;
  maxBlobBytes: number;
  log: Logger;
  /** True when this server refuses the version (its address or info hash is on the denylist). */
  refused(manifest: Manifest): boolean;
  /** A newer version was stored: pages waiting on it hear of it. */
  stored(manifest: Manifest): void;
  /** How long one peer has to answer for a manifest. Default 5 s. */
  manifestTimeoutMs?: number;
  /** An address is asked of the peers at most this often. Default 30 s. */
  recheckMs?: number;
}

/**
 * Manifests (and their files) this server does not have, from its peer servers. A peer is
 * trusted no more than a browser: its manifest is parsed and verified strictly (signature,
 * address, limits, version rule when stored), every file it sends is hashed against the
 * signed sha256 before it is kept (SiteStore.putBlob), and a peer that fails is skipped.
 */
export class PeerServers {
  private readonly lookups = new Map<string, Promise<Manifest | undefined>>();
  private readonly lastAsked = new Map<string, number>();
  private readonly timeoutMs: number;
  private readonly recheckMs: number;

  constructor(private readonly options: PeerServersOptions) {
    this.timeoutMs = options.manifestTimeoutMs ?? 5000;
    this.recheckMs = options.recheckMs ?? 30_000;
  }

  get size(): number {
    return this.options.urls.length;
  }

  /**
   * The newest version the peers have of `address`, newer than the one stored here, now
   * stored here with all its files; undefined when none has one (or asked within
   * `recheckMs`). One lookup per address at a time; never throws.
   */
  lookup(address: string): Promise<Manifest | undefined> {
    if (!this.options.urls.length) return Promise.resolve(undefined);
    const running = this.lookups.get(address);
    if (running) return running;
    const last = this.lastAsked.get(address) ?? 0;
    if (Date.now() - last < this.recheckMs) return Promise.resolve(undefined);
    // A bounded memory of when each address was asked: the oldest go first.
    if (this.lastAsked.size >= 10_000) this.lastAsked.delete(this.lastAsked.keys().next().value!);
    this.lastAsked.set(address, Date.now());
    const work = this.fetchNewest(address).finally(() => this.lookups.delete(address));
    this.lookups.set(address, work);
    return work;
  }

  private async fetchNewest(address: string): Promise<Manifest | undefined> {
    const held = this.options.store.current(address)?.seq ?? 0;
    const answers = await Promise.all(this.options.urls.map((peer) => this.manifestFrom(peer, address).then((m) => (m ? { peer, manifest: m } : undefined))));
    const newer = answers.filter((a): a is { peer: string; manifest: Manifest } => Boolean(a) && a!.manifest.seq > held).sort((a, b) => b.manifest.seq - a.manifest.seq);
    for (const { peer, manifest } of newer) {
      if (this.options.refused(manifest)) return undefined;
      try {
        await this.fetchBlobs(peer, manifest);
        await this.options.store.publish(manifest);
        this.options.log.info('peer_manifest_stored', { address, seq: manifest.seq, peer });
        this.options.stored(manifest);
        return manifest;
      } catch (err) {
        this.options.log.warn('peer_manifest_failed', { address, peer, message: String((err as Error).message).slice(0, 200) });
      }
    }
    return undefined;
  }

  /** A peer's manifest, verified; undefined when it has none or sends anything else. */
  private async manifestFrom(peer: string, address: string): Promise<Manifest | undefined> {
    try {
      const res = await fetch(`${peer}/api/sites/${address}`, { headers: { [PEER_LOOKUP_HEADER]: '1' }, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`answered ${res.status}`);
      const declared = Number(res.headers.get('content-length'));
      if (declared > this.options.maxBodyBytes) throw new Error(`a manifest of ${declared} bytes is over ${this.options.maxBodyBytes}`);
      const body = new Uint8Array(await res.arrayBuffer());
      if (body.length > this.options.maxBodyBytes) throw new Error(`a manifest of ${body.length} bytes is over ${this.options.maxBodyBytes}`);
      return await verifyManifest(parseManifestJson(body, this.options.siteLimits), { address, limits: this.options.siteLimits });
    } catch (err) {
      this.options.log.warn('peer_manifest_refused', { address, peer, message: String((err as Error).message).slice(0, 200) });
      return undefined;
    }
  }

  /** Every file this server lacks, from the peer's origin seed; each hashed before it is kept. */
  private async fetchBlobs(peer: string, manifest: Manifest): Promise<void> {
    for (const file of manifest.files) {
      if (await this.options.store.hasBlob(file.sha256)) continue;
      const res = await getFromSiteOrigin(peer, manifest.address, `/api/blobs/${file.sha256}`);
      // putBlob hashes as it writes and keeps the file only when it matches the signed sha256.
      await this.options.store.putBlob(file.sha256, res, Math.min(this.options.maxBlobBytes, file.size));
    }
  }
}
