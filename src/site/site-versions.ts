import { isCoreError, verifyManifest, type Manifest, type VersionDecision } from '../core/index.js';
import { getSite, newestOf, offerManifest, promotePending, updateSite, type SiteRecord } from '../store/site-cache.js';
import type { SiteDeniedMessage } from '../sw/messages.js';
import type { EngineDeps } from './engine-deps.js';
import { mark } from './marks.js';
import { verifyManifestOffThread } from './verify-off-thread.js';

export interface SiteVersionsOptions {
  address: string;
  deps: EngineDeps;
  /** Verify on this thread rather than in the verification worker (the boot page does). */
  verifyHere: boolean;
  warn(message: string): void;
}

/**
 * The versions of one site this browser holds, as its record in the cache says: every
 * manifest offered (by the server or a peer) is verified here, then the version rule
 * decides whether it becomes the current or pending version. The record read here is the
 * engine's view of it, re-read after each write.
 */
export class SiteVersions {
  record?: SiteRecord;

  constructor(private readonly o: SiteVersionsOptions) {}

  async read(): Promise<SiteRecord | undefined> {
    this.record = await getSite(this.o.address, this.o.deps.stores);
    return this.record;
  }

  /** The newest version held (pending if any), which peers and the server's watch are told of. */
  newest(): Manifest | undefined {
    return this.record ? newestOf(this.record) : undefined;
  }

  visited(): Promise<void> {
    const at = this.o.deps.now();
    return updateSite(this.o.address, (r) => (r.lastVisit = at), this.o.deps.stores);
  }

  /**
   * Records the operator's refusal or its end. A refusal also tells the service worker,
   * which stops serving the site at once.
   */
  async setDenied(denied: boolean): Promise<void> {
    await updateSite(this.o.address, (r) => (r.denied = denied), this.o.deps.stores);
    if (!denied) return;
    const message: SiteDeniedMessage = { type: 'site-denied' };
    this.o.deps.filesChannel.postMessage(message);
  }

  /**
   * Verifies a manifest from any source and applies the version rule. Undefined only when
   * it failed verification (the source misbehaved); a conflict is warned of and kept out.
   */
  async offer(candidate: unknown, source: 'server' | 'peer', asCurrent: boolean): Promise<{ manifest: Manifest; decision: VersionDecision } | undefined> {
    let manifest: Manifest;
    try {
      manifest = this.o.verifyHere ? await verifyManifest(candidate, { address: this.o.address }) : await verifyManifestOffThread(candidate, this.o.address);
    } catch (err) {
      this.o.warn(`ignored a manifest from the ${source}: ${isCoreError(err) ? err.code : 'invalid'}`);
      return undefined;
    }
    mark(`verified-${source}`);
    const decision = await offerManifest(manifest, asCurrent, this.o.deps.stores);
    await this.read();
    if (decision.action === 'conflict') this.o.warn(`the publisher's key signed two different versions with seq ${manifest.seq}; keeping the one held`);
    return { manifest, decision };
  }

  /** Makes the pending version current; the service worker serves it to new page loads. */
  async promote(): Promise<Manifest | undefined> {
    const promoted = await promotePending(this.o.address, this.o.deps.stores);
    await this.read();
    return promoted;
  }
}
