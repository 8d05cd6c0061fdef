import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { classifyRequestPath, formatSwarmPeers, manifestEtag, SWARM_HEADER, discoveryTorrent, isAddress, parseManifestJson, resolveLimits, verifyManifest, type Manifest } from '../src/core/index.js';
import { LOCAL_APP_HOSTNAME } from '../src/settings/messages.js';
import { Denylist } from './denylist.js';
import { HttpError, toHttpError } from './errors.js';
import { hostKindOf, loopbackAppUrl, wrongHost, type HostKind } from './host-kind.js';
import { clientIpResolver } from './client-ip.js';
import { ForwardedClientCap } from './forwarded-client-cap.js';
import { publicSiteUrl, publicTrackerUrl, type PublicUrl } from './public-url.js';
import { INERT_BYTES_HEADERS, RAW_BYTES_TYPE } from './raw-bytes.js';
import { parseOperatorIce, sendIceAnswer, type OperatorIceConfig } from './ice-servers.js';
import { CORS_HEADERS, checkDeclaredLength, readBody, sendError, sendJson, serveFile } from './http-util.js';
import { capConnectionsPerIp } from './connection-guard.js';
import { Logger, type LogSink } from './log.js';
import { ManifestWaiters, preferredWaitMs } from './manifest-waiters.js';
import { Metrics } from './metrics.js';
import { PageReportBudget } from './page-reports.js';
import { pageReportRoute } from './page-report-route.js';
import { RateLimiter } from './rate-limit.js';
import { distFile } from './static-files.js';
import { SiteStore } from './storage.js';
import { DEFAULT_TRACKER_LIMITS, Tracker } from './tracker.js';
import { DhtPointers, type ServerDhtOptions } from './dht-pointers.js';
import { pointerRoute } from './dht-pointer-route.js';
import { NO_EXTRA_ENDPOINTS, sendEndpointsAnswer, type EndpointsConfig } from './endpoints-answer.js';
import { PEER_LOOKUP_HEADER, PeerServers } from './peer-servers.js';

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

/**
 * The request target as a URL. Node hands over the raw target: `//seed/x` must stay a
 * path (as a relative URL it would name a host), and the absolute form proxies send is
 * read as it is.
 * @throws {HttpError} 400 E_BAD_REQUEST for anything else
 */
function requestTarget(raw: string | undefined): URL {
  const text = raw ?? '/';
  try {
    if (text.startsWith('/')) return new URL(`http://host${text}`);
    if (/^https?:\/\//i.test(text)) return new URL(text);
  } catch {
    // Answered below.
  }
  throw new HttpError(400, 'E_BAD_REQUEST', 'the request target must be a path starting with "/"');
}

/**
 * Starts the one server browsers fall back on: WebSocket tracker, manifest API, origin
 * seed, the app and the sites' origins, all on one port.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir ?? '.data';
  const distDir = options.distDir ?? 'dist';
  const originOn = options.origin ?? true;
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const log = new Logger(options.log ?? ((line) => process.stdout.write(`${line}\n`)), options.logIps ?? false);
  const publicUrl = options.publicUrl;
  // The IP for logs, rate limits and per-IP caps; nothing else reads forwarded headers.
  const clientIp = clientIpResolver(options.trustProxy ?? false);
  const metrics = new Metrics();
  const ice = options.ice ?? parseOperatorIce({ urls: [] });
  const store = await SiteStore.open(dataDir, {
    onDamaged: (file, message) => log.error('store_damaged_file', { file, message: message.slice(0, 300) }),
    pending: { ttlMs: limits.pendingBlobMinutes * 60_000, bytesPerIp: limits.pendingBytesPerIp },
  });
  // Discovery torrents of listed addresses, stored here or not: the tracker refuses them.
  let deniedDiscovery = new Set<string>();
  // Pages waiting for a site's next version (a long poll on the manifest request).
  const waiters = new ManifestWaiters(limits.heldManifestRequests);
  metrics.openPages = () => waiters.size;
  const denylist = new Denylist(options.denylistPath ?? join(dataDir, 'denylist.txt'), log, async (entries) => {
    const next = new Set<string>();
    for (const entry of entries) if (isAddress(entry)) next.add((await discoveryTorrent(entry)).torrent.infoHash);
    deniedDiscovery = next;
    // Open pages of a site just refused learn it now.
    waiters.wakeAll();
  });
  await denylist.start();
  const publishLimiter = new RateLimiter(limits.publishesPerMinute, 60_000);
  const reportBudget = new PageReportBudget();
  const siteLimits = resolveLimits({ maxTotalBytes: limits.maxSiteBytes, maxFileBytes: Math.min(limits.maxSiteBytes, limits.maxBlobBytes) });

  // A site is refused when its address, or any of its versions' info hashes, is listed.
  const deniedSite = (address: string) => denylist.has(address) || store.infoHashesOf(address).some((ih) => denylist.has(ih));
  const denied = (m: Manifest) => deniedSite(m.address);
  const pointers = options.dht ? await DhtPointers.start({ ...options.dht, node: options.dht, store, log, dataDir, refused: (a, ih) => deniedSite(a) || (ih !== undefined && denylist.has(ih)) }) : undefined;
  const endpoints = options.endpoints ?? NO_EXTRA_ENDPOINTS;
  // Manifests and files this server lacks come from its peer servers, verified like any upload.
  const peers = new PeerServers({
    urls: endpoints.peerServers,
    store,
    siteLimits,
    maxBodyBytes: limits.maxBodyBytes,
    maxBlobBytes: limits.maxBlobBytes,
    log,
    refused: (m) => deniedSite(m.address) || denylist.has(m.torrent.infoHash),
    stored: (m) => waiters.wake(m.address),
    recheckMs: options.peerRecheckMs,
  });

  const tracker = new Tracker({
    log,
    maxMessageBytes: limits.maxWsMessageBytes,
    peersPerSwarm: limits.peersPerSwarm,
    socketsPerIp: limits.socketsPerIp,
    swarmsPerSocket: limits.swarmsPerSocket,
    swarmsPerIp: limits.swarmsPerIp,
    // Any client's announced totals (p2p_announced_bytes_total), counted and never obeyed.
    onTransfer: (_infoHash, result) => metrics.addAnnounced(result),
    refuse: (infoHash) => {
      if (denylist.has(infoHash)) return 'this torrent is blocked by the operator of this tracker';
      if (deniedDiscovery.has(infoHash)) return 'this site is blocked by the operator of this tracker';
      const version = store.byInfoHash(infoHash);
      if (version && denied(version)) return 'this site is blocked by the operator of this tracker';
      // Torrents this server does not host are allowed: peers may share sites published elsewhere.
      return undefined;
    },
  });
  metrics.swarms = () => tracker.swarmCount;
  metrics.peers = () => tracker.peerCount;
  metrics.tracker = () => tracker.bookkeeping;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = requestTarget(req.url);
    // The server and the service worker read paths the same way (src/core/reserved-paths.ts):
    // `//seed/x`, `/%73eed/x` and `/a/../seed/x` are the seed, `/announcements.html` a site file.
    const where = classifyRequestPath(target.pathname);
    if (where.kind === 'bad') throw new HttpError(400, 'E_BAD_REQUEST', 'the path has a broken %-escape; escape "%" as %25');
    const method = req.method ?? 'GET';
    const host = hostKindOf(req.headers.host, publicUrl);
    // With a public URL, pages, our build, the seed and the tracker answer only on its host and
    // its sites'; the API, health and metrics on any Host (the CLI and probes may go straight to the port).
    const anyHost = where.kind === 'reserved' && ['api', 'healthz', 'metrics'].includes(where.segment);
    if (host.kind === 'other' && publicUrl && !anyHost) throw wrongHost(publicUrl);
    if (method === 'OPTIONS') {
      // Preflights for what other origins may read (manifests, raw bytes, the loader); nothing else is shared.
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    if (where.kind === 'reserved') return reserved(req, res, where.segment, where.segments.slice(1), method, host);
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed here`);
    // Any page of a site's origin: the boot page loads the site in the browser.
    if (host.kind === 'site') return sendDist(req, res, 'boot.html', {}, 'no-store');
    const rel = where.segments.join('/');
    if (rel === '') {
      // The app on a bare loopback host moves to its canonical host (see appHostOf); the
      // browser keeps the #fragment across the redirect.
      if (host.kind === 'loopback') {
        res.writeHead(302, { Location: loopbackAppUrl(host), 'Cache-Control': 'no-store' }).end();
        return;
      }
      // Sites share the app's registrable domain: none of them may frame the app (its keys).
      return sendDist(req, res, 'index.html', { 'Content-Security-Policy': "frame-ancestors 'none'", 'X-Frame-Options': 'DENY' });
    }
    if (rel === 'loader.js') return sendDist(req, res, 'loader.js', CORS_HEADERS);
    throw new HttpError(404, 'E_NOT_FOUND', `nothing at ${target.pathname.slice(0, 200)}`);
  }

  /** The paths the server keeps on every origin, matched on exact, normalised segments. */
  async function reserved(req: IncomingMessage, res: ServerResponse, segment: string, rest: string[], method: string, host: HostKind): Promise<void> {
    const exact = rest.length === 0;
    if (segment === 'healthz' && exact) return sendJson(res, 200, { ok: true });
    if (segment === 'metrics' && exact) {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.text());
      return;
    }
    if (segment === 'announce' && exact && !endpoints.builtInTracker) throw new HttpError(404, 'E_NOT_FOUND', 'this server runs no tracker (--no-tracker); its pages use the trackers in /api/endpoints');
    if (segment === 'announce' && exact) throw new HttpError(426, 'E_UPGRADE_REQUIRED', `the tracker speaks WebSocket only: connect to ${publicUrl ? publicTrackerUrl(publicUrl) : 'ws://<this host>/announce'}`);
    if (segment === 'api') return api(req, res, rest, method, host);
    if (segment === 'seed') return seed(req, res, rest, method, host);
    if (segment === '__p2p') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed here`);
      const rel = rest.join('/');
      // The app (and its keys) only at `/`, where it refuses to be framed.
      if (rel === 'index.html') throw new HttpError(404, 'E_NOT_FOUND', 'the app is at /');
      if (host.kind === 'site' && (rel === 'settings.html' || rel === 'loader-frame.html')) throw new HttpError(404, 'E_NOT_FOUND', 'not served on a site origin');
      // CORS: the embed loader imports its engine from pages on other origins.
      const extra: Record<string, string> = { 'Access-Control-Allow-Origin': '*', ...(rel === 'sw.js' ? { 'Service-Worker-Allowed': '/' } : {}) };
      return sendDist(req, res, rel, extra);
    }
    throw new HttpError(404, 'E_NOT_FOUND', `nothing at /${[segment, ...rest].join('/').slice(0, 200)}`);
  }

  async function sendDist(req: IncomingMessage, res: ServerResponse, rel: string, extra: Record<string, string> = {}, cacheControl?: string): Promise<void> {
    const file = await distFile(distDir, rel);
    if (!file) {
      const built = await distFile(distDir, 'boot.html');
      if (!built) throw new HttpError(503, 'E_NO_BUILD', 'the app is not built yet; run `npm run build` (the server picks the build up without a restart)');
      throw new HttpError(404, 'E_NOT_FOUND', `no file ${rel}`);
    }
    await serveFile(req, res, { ...file, cacheControl: cacheControl ?? file.cacheControl, extraHeaders: extra });
  }

  async function api(req: IncomingMessage, res: ServerResponse, rest: string[], method: string, host: HostKind): Promise<void> {
    if (rest[0] === 'sites' && rest.length === 2) {
      const address = rest[1];
      if (!isAddress(address)) throw new HttpError(400, 'E_BAD_ADDRESS', 'that is not a site address (52 lowercase base32 characters)');
      if (deniedSite(address)) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
      if (method === 'GET' || method === 'HEAD') return manifestAnswer(req, res, address);
      if (method === 'PUT') return publish(req, res, address);
      throw new HttpError(405, 'E_METHOD', `${method} is not allowed on a site`);
    }
    if (rest[0] === 'sites' && rest.length === 3 && rest[2] === 'pointer') {
      if (!isAddress(rest[1])) throw new HttpError(400, 'E_BAD_ADDRESS', 'that is not a site address (52 lowercase base32 characters)');
      if (deniedSite(rest[1])) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
      return pointerRoute(req, res, method, rest[1], { pointers, take: () => publishLimiter.take(clientIp(req)) });
    }
    if (rest[0] === 'sites' && rest.length === 3 && (method === 'GET' || method === 'HEAD')) {
      // One stored version by its seq (`p2psite info --seq`): older versions' swarms still complete.
      const [, address, seqText] = rest;
      if (!isAddress(address)) throw new HttpError(400, 'E_BAD_ADDRESS', 'that is not a site address (52 lowercase base32 characters)');
      if (!/^[1-9]\d{0,15}$/.test(seqText)) throw new HttpError(400, 'E_BAD_REQUEST', 'a version is its seq, a whole number from 1');
      if (deniedSite(address)) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
      const version = store.infoHashesOf(address).map((ih) => store.byInfoHash(ih)).find((m) => m?.seq === Number(seqText));
      if (!version) throw new HttpError(404, 'E_NOT_FOUND', `this server holds no version ${seqText} of this site`);
      return sendJson(res, 200, version, { ...CORS_HEADERS, 'Cache-Control': 'no-cache' });
    }
    if (rest[0] === 'report' && rest.length === 1) return pageReportRoute(req, res, method, host, { metrics, budget: reportBudget, hosted: (a) => Boolean(store.current(a)) && !deniedSite(a), ip: clientIp(req) });
    if (rest[0] === 'blobs' && rest.length === 2) {
      const sha = rest[1];
      if (!/^[0-9a-f]{64}$/.test(sha)) throw new HttpError(400, 'E_BAD_REQUEST', 'blob names are 64 lowercase hex characters (their sha256)');
      if (method === 'PUT') {
        checkDeclaredLength(req, limits.maxBlobBytes);
        const result = await store.putBlob(sha, req, limits.maxBlobBytes, clientIp(req));
        return sendJson(res, result === 'created' ? 201 : 200, { sha256: sha });
      }
      if (method === 'GET' || method === 'HEAD') {
        if (!originOn) throw new HttpError(503, 'E_ORIGIN_OFF', 'this server does not serve files; get them from peers');
        const owners = [...store.ownersOf(sha)].filter((a) => !deniedSite(a));
        if (!owners.length) throw new HttpError(404, 'E_NOT_FOUND', 'no published site has this file');
        // A HEAD (does the server hold it?) is answered anywhere; the bytes only on the
        // origin of a site that publishes them.
        const owner = host.kind === 'site' ? owners.find((a) => a === host.address) : undefined;
        if (method === 'GET' && !owner) throw new HttpError(404, 'E_NOT_FOUND', `a file's bytes are served only on the origin of a site that publishes it: <address>.<this host>/api/blobs/${sha}`);
        return serveFile(req, res, {
          path: store.blobPath(sha),
          size: await store.blobSize(sha),
          type: RAW_BYTES_TYPE,
          etag: `"${sha}"`,
          cacheControl: 'public, max-age=31536000, immutable',
          extraHeaders: { ...CORS_HEADERS, ...INERT_BYTES_HEADERS },
          onBytes: (n) => metrics.addOriginBytes(owner ?? owners[0], n),
        });
      }
      throw new HttpError(405, 'E_METHOD', `${method} is not allowed on a blob`);
    }
    if (rest[0] === 'ice' && rest.length === 1) return sendIceAnswer(res, method, ice);
    if (rest[0] === 'endpoints' && rest.length === 1) return sendEndpointsAnswer(res, method, endpoints, host.kind === 'site' ? host.address : undefined);
    if (rest[0] === 'blobs') throw new HttpError(400, 'E_BAD_REQUEST', 'blob names are 64 lowercase hex characters (their sha256)');
    throw new HttpError(404, 'E_NOT_FOUND', `no API at /api/${rest.join('/').slice(0, 200)}`);
  }

  /**
   * The newest manifest, with an ETag; a request that already holds it and says
   * `Prefer: wait=<s>` is held until the next version or the wait ends (a long poll: how
   * open pages hear of updates within a second, see manifest-waiters.ts).
   */
  async function manifestAnswer(req: IncomingMessage, res: ServerResponse, address: string): Promise<void> {
    const headers = { ...CORS_HEADERS, 'Cache-Control': 'no-cache' };
    // Not held here: a peer server may have it (stored here once verified). Held: a newer one
    // may have been published on a peer; asked in the background, at most every 30 s.
    // A peer server's own lookup is answered from the store only (no loop between peers).
    const askPeers = req.headers[PEER_LOOKUP_HEADER] === undefined;
    let manifest = store.current(address) ?? (askPeers ? await peers.lookup(address) : undefined);
    if (manifest && askPeers) void peers.lookup(address);
    // Not here: the DHT may still name a version (a 404 E_POINTER_ONLY carrying the pointer).
    if (!manifest) throw (await pointers?.notFound(address)) ?? new HttpError(404, 'E_NOT_FOUND', 'nothing is published at this address');
    const held = req.headers['if-none-match'];
    if (held === manifestEtag(manifest)) {
      const waitMs = preferredWaitMs(String(req.headers.prefer ?? ''));
      if (waitMs > 0) {
        const reason = await waiters.hold(address, waitMs, req);
        if (reason === 'gone') return;
        // Stopping: say so, so the page rechecks and finds the server when it is back.
        if (reason === 'closing') throw new HttpError(503, 'E_CLOSING', 'the server is restarting; ask again in a few seconds');
        if (deniedSite(address)) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
        manifest = store.current(address)!;
      }
      if (held === manifestEtag(manifest)) {
        res.writeHead(304, { ...headers, ETag: held });
        res.end();
        return;
      }
    }
    return sendJson(res, 200, manifest, { ...headers, ETag: manifestEtag(manifest), ...swarmHeader(manifest.torrent.infoHash) });
  }

  /** How many browsers hold the version (src/core/swarm-peers.ts), when this server's tracker is the only one. */
  function swarmHeader(infoHash: string): Record<string, string> {
    if (!endpoints.builtInTracker || endpoints.trackers.length > 0) return {};
    return { [SWARM_HEADER]: formatSwarmPeers(tracker.swarmPeers(infoHash)) };
  }

  async function publish(req: IncomingMessage, res: ServerResponse, address: string): Promise<void> {
    const ip = clientIp(req);
    try {
      if (!publishLimiter.take(ip)) throw new HttpError(429, 'E_RATE_LIMITED', 'too many publishes from this address; wait a minute and try again');
      const body = await readBody(req, limits.maxBodyBytes);
      const manifest = await verifyManifest(parseManifestJson(new Uint8Array(body), siteLimits), { address, limits: siteLimits });
      await store.publish(manifest);
      waiters.wake(address);
      metrics.countPublish('accepted');
      log.info('published', { address, seq: manifest.seq, files: manifest.files.length, ip });
      const hostHeader = req.headers.host ?? `${host}:${port}`;
      const url = publicUrl ? publicSiteUrl(publicUrl, address) : `http://${address}.${appHostOf(hostHeader)}/`;
      sendJson(res, 201, { address, seq: manifest.seq, url });
    } catch (err) {
      metrics.countPublish('refused');
      const httpError = toHttpError(err);
      if (httpError.code === 'E_STALE_SEQ' || httpError.code === 'E_SEQ_CONFLICT') httpError.extra.currentSeq = store.current(address)?.seq;
      log.warn('publish_refused', { address, code: httpError.code, ip });
      throw httpError;
    }
  }

  async function seed(req: IncomingMessage, res: ServerResponse, rest: string[], method: string, host: HostKind): Promise<void> {
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed on the origin seed`);
    const [infoHash, name, ...filePath] = rest;
    if (!/^[0-9a-f]{40}$/.test(infoHash ?? '') || !name || !filePath.length) throw new HttpError(404, 'E_NOT_FOUND', 'origin seed paths are /seed/<infoHash>/<name>/<file path>');
    const manifest = store.byInfoHash(infoHash);
    if (!manifest) throw new HttpError(404, 'E_NOT_FOUND', 'no published version has this info hash');
    // A site's bytes only on its own origin: never on the app's (its keys) or another site's.
    if (host.kind !== 'site' || host.address !== manifest.address) {
      throw new HttpError(404, 'E_NOT_FOUND', `this version's origin seed is on its site's own origin: <address>.<this host>/seed/${infoHash}/`);
    }
    if (denied(manifest) || denylist.has(infoHash)) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
    if (!originOn) throw new HttpError(503, 'E_ORIGIN_OFF', 'this server does not serve files; get them from peers');
    // Only an exact match of a manifest path is served, so `..` or `%2F` cannot step outside.
    const path = filePath.join('/');
    const file = name === manifest.torrent.name ? manifest.files.find((f) => f.path === path) : undefined;
    if (!file) throw new HttpError(404, 'E_NOT_FOUND', 'this version has no such file');
    await serveFile(req, res, {
      path: store.blobPath(file.sha256),
      size: file.size,
      type: RAW_BYTES_TYPE,
      etag: `"${file.sha256}"`,
      cacheControl: 'public, max-age=31536000, immutable',
      extraHeaders: { ...CORS_HEADERS, ...INERT_BYTES_HEADERS },
      onBytes: (n) => metrics.addOriginBytes(manifest.address, n),
    });
  }

  // Behind a trusted proxy every TCP peer is the proxy: the per-IP cap counts forwarded clients instead.
  const forwardedCap = options.trustProxy ? new ForwardedClientCap(limits.connectionsPerIp, (ip) => log.warn('too_many_connections', { ip })) : undefined;
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks every connection's timeouts this often, whatever else it is doing.
    connectionsCheckingInterval: Math.max(250, Math.min(5000, limits.headersTimeoutMs / 4)),
  }, (req, res) => {
    const started = Date.now();
    // Every site shares the app's registrable domain: ask for a process of each origin's
    // own where the browser can, so one origin's memory is not readable by another's (Spectre).
    res.setHeader('Origin-Agent-Cluster', '?1');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.on('finish', () => {
      metrics.countRequest(res.statusCode);
      if (res.statusCode >= 400) log.info('request', { method: req.method, path: (req.url ?? '').slice(0, 200), status: res.statusCode, ms: Date.now() - started, ip: clientIp(req) });
    });
    if (forwardedCap && !forwardedCap.admitRequest(res, clientIp(req))) return;
    handle(req, res).catch((err: unknown) => {
      const httpError = toHttpError(err);
      if (httpError.status >= 500 && httpError.code === 'E_INTERNAL') log.error('request_failed', { path: req.url?.slice(0, 200), message: String((err as Error)?.message ?? err).slice(0, 300) });
      sendError(res, httpError);
    });
  });
  // Upgraded sockets leave the HTTP server's bookkeeping; track them to end them on close.
  const upgraded = new Set<import('node:stream').Duplex>();
  server.on('upgrade', (req, socket, head) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    // Tracker sockets stay open and quiet between announces: the HTTP idle timeout is not theirs.
    (socket as import('node:net').Socket).setTimeout?.(0);
    const where = classifyRequestPath(new URL(`http://host${req.url?.startsWith('/') ? req.url : '/'}`).pathname);
    if (where.kind !== 'reserved' || where.segment !== 'announce' || where.segments.length !== 1) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (publicUrl && hostKindOf(req.headers.host, publicUrl).kind === 'other') {
      socket.end(`HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${wrongHost(publicUrl).message}`);
      return;
    }
    if (!endpoints.builtInTracker) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nthis server runs no tracker (--no-tracker)');
      return;
    }
    const ip = clientIp(req);
    if (forwardedCap && !forwardedCap.admitSocket(socket, ip)) return;
    tracker.handleUpgrade(req, socket, head, ip);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  });
  if (!forwardedCap) capConnectionsPerIp(server, limits.connectionsPerIp, (ip) => log.warn('too_many_connections', { ip }));
  // A connection silent for 2 minutes is closed too (an upload that stopped sending).
  server.timeout = 2 * 60_000;
  const sweep = setInterval(() => {
    void store.sweepPending().then(
      (removed) => removed && log.info('pending_blobs_removed', { removed }),
      (err: Error) => log.error('pending_sweep_failed', { message: err.message.slice(0, 200) }),
    );
  }, Math.min(60_000, Math.max(1000, limits.pendingBlobMinutes * 15_000)));
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // A wildcard bind is reached through loopback; IPv6 literals need brackets in a URL.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  log.info('listening', { url, ...(publicUrl ? { publicUrl: publicUrl.appOrigin } : {}), origin: originOn, tracker: endpoints.builtInTracker, trackers: endpoints.trackers.length, mirrors: endpoints.mirrors.length, peerServers: endpoints.peerServers.length, sites: store.siteCount });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    metrics,
    store,
    get waitingPages() {
      return waiters.size;
    },
    close() {
      closing ??= (async () => {
        denylist.stop();
        await pointers?.close();
        clearInterval(sweep);
        waiters.close();
        for (const socket of upgraded) socket.destroy();
        await tracker.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        log.info('closed');
      })();
      return closing;
    },
  };
}

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(?=:|$)/i;

/**
 * The app's host for a request's Host header: `p2p.localhost:8080` for a loopback host
 * (`localhost`, `127.0.0.1`, `[::1]`), the host itself otherwise. Sites are served at
 * `<address>.<app host>`, so on this machine the app and the sites share the registrable
 * domain `p2p.localhost` and the app's frames in site pages keep their storage
 * (src/settings/messages.ts, `canonicalAppOrigin`).
 */
export function appHostOf(hostHeader: string): string {
  return hostHeader.replace(LOOPBACK_HOST, LOCAL_APP_HOSTNAME);
}
