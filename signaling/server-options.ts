import type { LogSink } from './log.js';
import type { Metrics } from './metrics.js';
import type { PublicUrl } from './public-url.js';
import type { OperatorIceConfig } from './ice-servers.js';
import type { SiteStore } from './storage.js';
import type { ServerDhtOptions } from './dht-pointers.js';
import type { EndpointsConfig } from './endpoints-answer.js';
import { DEFAULT_TRACKER_LIMITS } from './tracker.js';

/** What `startServer` takes and gives back (signaling/server.ts). */

export interface ServerLimits {
  /** Largest manifest upload. */
  maxBodyBytes: number;
  /** Largest single file (blob). */
  maxBlobBytes: number;
  /** Largest site (sum of its files). */
  maxSiteBytes: number;
  /** Largest tracker WebSocket message (offers included). */
  maxWsMessageBytes: number;
  /** Peers the tracker keeps per swarm (oldest dropped first). */
  peersPerSwarm: number;
  /** Tracker sockets one client IP may hold open (more are refused with 429). */
  socketsPerIp: number;
  /** Swarms one tracker socket may be in, counted per peer_id. */
  swarmsPerSocket: number;
  /** Swarms all tracker sockets of one client IP may be in together, counted per peer_id. */
  swarmsPerIp: number;
  /** Manifest uploads per client IP per minute. */
  publishesPerMinute: number;
  /** TCP connections one client IP may hold at once (HTTP and tracker sockets). */
  connectionsPerIp: number;
  /** Minutes an uploaded blob is kept while no published manifest names it. */
  pendingBlobMinutes: number;
  /** Bytes of such unnamed blobs one client IP may hold at once. */
  pendingBytesPerIp: number;
  /**
   * Largest request head. Large on purpose: every site may set cookies for the shared
   * parent domain, and a "cookie bomb" (up to ~180 cookies of 4 kB in Chromium) must not
   * lock visitors out of every other site. Cookies are never read.
   */
  maxHeaderBytes: number;
  /** A request head must arrive within this; a body within `requestTimeoutMs`. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Manifest requests held open at once, waiting for a site's next version (open pages). */
  heldManifestRequests: number;
}

export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxBodyBytes: 4 * 1024 * 1024 + 64 * 1024,
  maxBlobBytes: 512 * 1024 * 1024,
  maxSiteBytes: 512 * 1024 * 1024,
  maxWsMessageBytes: 128 * 1024,
  peersPerSwarm: 1000,
  socketsPerIp: DEFAULT_TRACKER_LIMITS.socketsPerIp,
  swarmsPerSocket: DEFAULT_TRACKER_LIMITS.swarmsPerSocket,
  swarmsPerIp: DEFAULT_TRACKER_LIMITS.swarmsPerIp,
  publishesPerMinute: 30,
  connectionsPerIp: 256,
  pendingBlobMinutes: 60,
  pendingBytesPerIp: 1024 * 1024 * 1024,
  maxHeaderBytes: 1024 * 1024,
  headersTimeoutMs: 20_000,
  // A 512 MiB upload at 1 MB/s fits.
  requestTimeoutMs: 10 * 60_000,
  heldManifestRequests: 20_000,
});

export interface ServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  dataDir?: string;
  /** The Vite build, served under `/__p2p/`. */
  distDir?: string;
  /** Serve site files over HTTP (the origin seed). */
  origin?: boolean;
  denylistPath?: string;
  logIps?: boolean;
  /**
   * Where visitors reach the server (signaling/public-url.ts): every URL it returns uses
   * it, and only its host and `<address>.<its host>` are served. Default: none, and any
   * Host is read by its shape (a loopback server's app is `http://p2p.localhost:<port>`).
   */
  publicUrl?: PublicUrl;
  /** Take the client IP from X-Forwarded-For / Forwarded (signaling/client-ip.ts); only behind a proxy. */
  trustProxy?: boolean;
  limits?: Partial<ServerLimits>;
  log?: LogSink;
  /** STUN and TURN servers pages get from `/api/ice` (signaling/ice-servers.ts); none by default. */
  ice?: OperatorIceConfig;
  /** Join the BitTorrent DHT: re-put publishers' signed pointers, resolve unknown addresses (signaling/dht-pointers.ts). Off by default. */
  dht?: ServerDhtOptions;
  /** Extra trackers, mirrors and peer servers, and whether the built-in tracker runs (signaling/endpoints-answer.ts). */
  endpoints?: EndpointsConfig;
  /** How often an address is asked of the peer servers at most (default 30 s; tests shorten it). */
  peerRecheckMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  metrics: Metrics;
  store: SiteStore;
  /** Manifest requests held open now, waiting for a site's next version. */
  readonly waitingPages: number;
  close(): Promise<void>;
}
