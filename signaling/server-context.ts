import type { IncomingMessage } from 'node:http';
import type { Manifest, SiteLimits } from '../src/core/index.js';
import type { Denylist } from './denylist.js';
import type { DhtPointers } from './dht-pointers.js';
import type { EndpointsConfig } from './endpoints-answer.js';
import type { OperatorIceConfig } from './ice-servers.js';
import type { Logger } from './log.js';
import type { ManifestWaiters } from './manifest-waiters.js';
import type { Metrics } from './metrics.js';
import type { PageReportBudget } from './page-reports.js';
import type { PeerServers } from './peer-servers.js';
import type { PublicUrl } from './public-url.js';
import type { RateLimiter } from './rate-limit.js';
import type { ServerLimits } from './server-options.js';
import type { SiteStore } from './storage.js';
import type { Tracker } from './tracker.js';

/**
 * What the request routes of one running server share: its settings, its stores and the
 * parts with a lifecycle, all made and closed by `startServer` (signaling/server.ts).
 */
export interface ServerContext {
  readonly limits: ServerLimits;
  readonly siteLimits: SiteLimits;
  /** Serve site files over HTTP (the origin seed). */
  readonly originOn: boolean;
  /** The Vite build, served under `/__p2p/`. */
  readonly distDir: string;
  readonly publicUrl: PublicUrl | undefined;
  readonly ice: OperatorIceConfig;
  readonly endpoints: EndpointsConfig;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly store: SiteStore;
  readonly denylist: Denylist;
  readonly waiters: ManifestWaiters;
  readonly peers: PeerServers;
  readonly pointers: DhtPointers | undefined;
  readonly tracker: Tracker;
  readonly publishLimiter: RateLimiter;
  readonly reportBudget: PageReportBudget;
  /** The IP for logs, rate limits and per-IP caps; nothing else reads forwarded headers. */
  clientIp(req: IncomingMessage): string;
  /** A site is refused when its address, or any of its versions' info hashes, is listed. */
  deniedSite(address: string): boolean;
  denied(manifest: Manifest): boolean;
  /** `host:port` the server listens on, for a request that sent no Host header. */
  listenHost(): string;
}
