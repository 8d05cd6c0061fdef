import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { discoveryTorrent, isAddress, resolveLimits, type Manifest } from '../src/core/index.js';
import { clientIpResolver } from './client-ip.js';
import { capConnectionsPerIp } from './connection-guard.js';
import { Denylist } from './denylist.js';
import { DhtPointers } from './dht-pointers.js';
import { NO_EXTRA_ENDPOINTS } from './endpoints-answer.js';
import { toHttpError } from './errors.js';
import { ForwardedClientCap } from './forwarded-client-cap.js';
import { sendError } from './http-util.js';
import { parseOperatorIce } from './ice-servers.js';
import { Logger } from './log.js';
import { ManifestWaiters } from './manifest-waiters.js';
import { Metrics } from './metrics.js';
import { PageReportBudget } from './page-reports.js';
import { PeerServers } from './peer-servers.js';
import { RateLimiter } from './rate-limit.js';
import { routeRequest } from './request-router.js';
import type { ServerContext } from './server-context.js';
import { DEFAULT_SERVER_LIMITS, type RunningServer, type ServerLimits, type ServerOptions } from './server-options.js';
import { SiteStore } from './storage.js';
import { Tracker } from './tracker.js';
import { attachTrackerUpgrade } from './tracker-upgrade.js';

export { DEFAULT_SERVER_LIMITS, type RunningServer, type ServerLimits, type ServerOptions } from './server-options.js';

/**
 * Starts the one server browsers fall back on: WebSocket tracker, manifest API, origin
 * seed, the app and the sites' origins, all on one port. The routes are in
 * request-router.ts and the modules it names; this function makes what they share
 * (server-context.ts), listens, and closes it all.
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

  let port = 0;
  const ctx: ServerContext = {
    limits,
    siteLimits,
    originOn,
    distDir,
    publicUrl,
    ice,
    endpoints,
    log,
    metrics,
    store,
    denylist,
    waiters,
    peers,
    pointers,
    tracker,
    publishLimiter,
    reportBudget,
    clientIp,
    deniedSite,
    denied,
    listenHost: () => `${host}:${port}`,
  };

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
    routeRequest(ctx, req, res).catch((err: unknown) => {
      const httpError = toHttpError(err);
      if (httpError.status >= 500 && httpError.code === 'E_INTERNAL') log.error('request_failed', { path: req.url?.slice(0, 200), message: String((err as Error)?.message ?? err).slice(0, 300) });
      sendError(res, httpError);
    });
  });
  const upgraded = attachTrackerUpgrade(server, ctx, forwardedCap);
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
  port = (server.address() as AddressInfo).port;
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
