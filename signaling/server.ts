import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { discoveryTorrent, isAddress, parseManifestJson, resolveLimits, verifyManifest, type Manifest } from '../src/core/index.js';
import { LOCAL_APP_HOSTNAME } from '../src/settings/messages.js';
import { Denylist } from './denylist.js';
import { HttpError, toHttpError } from './errors.js';
import { CORS_HEADERS, checkDeclaredLength, readBody, sendError, sendJson, serveFile } from './http-util.js';
import { Logger, type LogSink } from './log.js';
import { Metrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import { distFile } from './static-files.js';
import { SiteStore } from './storage.js';
import { Tracker } from './tracker.js';

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
  /** Manifest uploads per client IP per minute. */
  publishesPerMinute: number;
}

export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxBodyBytes: 4 * 1024 * 1024 + 64 * 1024,
  maxBlobBytes: 512 * 1024 * 1024,
  maxSiteBytes: 512 * 1024 * 1024,
  maxWsMessageBytes: 128 * 1024,
  peersPerSwarm: 1000,
  publishesPerMinute: 30,
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
  limits?: Partial<ServerLimits>;
  log?: LogSink;
}

export interface RunningServer {
  url: string;
  port: number;
  metrics: Metrics;
  store: SiteStore;
  close(): Promise<void>;
}

/**
 * The site a request is for: the first label of its Host header when that is an address
 * (`<address>.localhost:8080`, `<address>.example.org`), as on IPFS subdomain gateways.
 */
function siteOfHost(hostHeader: string | undefined): string | undefined {
  const label = (hostHeader ?? '').toLowerCase().split('.')[0];
  return hostHeader?.includes('.') && isAddress(label) ? label : undefined;
}

/** Percent-decodes one path segment. @throws {HttpError} 400 E_BAD_REQUEST on a broken escape */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'E_BAD_REQUEST', `the path has a broken %-escape in "${segment.slice(0, 80)}"; escape "%" as %25`);
  }
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
  const metrics = new Metrics();
  const store = await SiteStore.open(dataDir, {
    onDamaged: (file, message) => log.error('store_damaged_file', { file, message: message.slice(0, 300) }),
  });
  // Discovery torrents of listed addresses, stored here or not: the tracker refuses them.
  let deniedDiscovery = new Set<string>();
  const denylist = new Denylist(options.denylistPath ?? join(dataDir, 'denylist.txt'), log, async (entries) => {
    const next = new Set<string>();
    for (const entry of entries) if (isAddress(entry)) next.add((await discoveryTorrent(entry)).torrent.infoHash);
    deniedDiscovery = next;
  });
  await denylist.start();
  const publishLimiter = new RateLimiter(limits.publishesPerMinute, 60_000);
  const siteLimits = resolveLimits({ maxTotalBytes: limits.maxSiteBytes, maxFileBytes: Math.min(limits.maxSiteBytes, limits.maxBlobBytes) });

  // A site is refused when its address, or any of its versions' info hashes, is listed.
  const deniedSite = (address: string) => denylist.has(address) || store.infoHashesOf(address).some((ih) => denylist.has(ih));
  const denied = (m: Manifest) => deniedSite(m.address);

  const tracker = new Tracker({
    log,
    maxMessageBytes: limits.maxWsMessageBytes,
    peersPerSwarm: limits.peersPerSwarm,
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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://host');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    if (path === '/healthz') return sendJson(res, 200, { ok: true });
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.text());
      return;
    }
    if (path.startsWith('/api/')) return api(req, res, path, method);
    if (path.startsWith('/seed/')) return seed(req, res, path, method);
    if (path === '/announce') throw new HttpError(426, 'E_UPGRADE_REQUIRED', 'the tracker speaks WebSocket only: connect to ws://<this host>/announce');
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed here`);

    const siteHost = siteOfHost(req.headers.host);
    if (path.startsWith('/__p2p/')) {
      const rel = decodeSegment(path.slice('/__p2p/'.length));
      // The app (and its keys) only at `/`, where it refuses to be framed.
      if (rel === 'index.html') throw new HttpError(404, 'E_NOT_FOUND', 'the app is at /');
      if (siteHost && (rel === 'settings.html' || rel === 'loader-frame.html')) throw new HttpError(404, 'E_NOT_FOUND', 'not served on a site origin');
      // CORS: the embed loader imports its engine from pages on other origins.
      const extra: Record<string, string> = { 'Access-Control-Allow-Origin': '*', ...(rel === 'sw.js' ? { 'Service-Worker-Allowed': '/' } : {}) };
      return sendDist(req, res, rel, extra);
    }
    if (siteHost) {
      // Any page of a site's origin: the boot page loads the site in the browser.
      return sendDist(req, res, 'boot.html', {}, 'no-store');
    }
    if (path === '/') {
      // The app on a bare loopback host moves to its canonical host (see appHostOf); the
      // browser keeps the #fragment across the redirect.
      const host = req.headers.host ?? '';
      if (LOOPBACK_HOST.test(host)) {
        res.writeHead(302, { Location: `http://${appHostOf(host)}/`, 'Cache-Control': 'no-store' }).end();
        return;
      }
      // Sites share the app's registrable domain: none of them may frame the app (its keys).
      return sendDist(req, res, 'index.html', { 'Content-Security-Policy': "frame-ancestors 'none'", 'X-Frame-Options': 'DENY' });
    }
    if (path === '/loader.js') return sendDist(req, res, 'loader.js', CORS_HEADERS);
    throw new HttpError(404, 'E_NOT_FOUND', `nothing at ${path}`);
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

  async function api(req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
    const site = /^\/api\/sites\/([^/]+)$/.exec(path);
    if (site) {
      const address = decodeSegment(site[1]);
      if (!isAddress(address)) throw new HttpError(400, 'E_BAD_ADDRESS', 'that is not a site address (52 lowercase base32 characters)');
      if (deniedSite(address)) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
      if (method === 'GET' || method === 'HEAD') {
        const manifest = store.current(address);
        if (!manifest) throw new HttpError(404, 'E_NOT_FOUND', 'nothing is published at this address');
        return sendJson(res, 200, manifest, { ...CORS_HEADERS, 'Cache-Control': 'no-cache' });
      }
      if (method === 'PUT') return publish(req, res, address);
      throw new HttpError(405, 'E_METHOD', `${method} is not allowed on a site`);
    }
    const blob = /^\/api\/blobs\/([0-9a-f]{64})$/.exec(path);
    if (blob) {
      const sha = blob[1];
      if (method === 'PUT') {
        checkDeclaredLength(req, limits.maxBlobBytes);
        const result = await store.putBlob(sha, req, limits.maxBlobBytes);
        return sendJson(res, result === 'created' ? 201 : 200, { sha256: sha }, CORS_HEADERS);
      }
      if (method === 'GET' || method === 'HEAD') {
        if (!originOn) throw new HttpError(503, 'E_ORIGIN_OFF', 'this server does not serve files; get them from peers');
        const owners = [...store.ownersOf(sha)].filter((a) => !deniedSite(a));
        if (!owners.length) throw new HttpError(404, 'E_NOT_FOUND', 'no published site has this file');
        return serveFile(req, res, {
          path: store.blobPath(sha),
          size: await store.blobSize(sha),
          type: 'application/octet-stream',
          etag: `"${sha}"`,
          cacheControl: 'public, max-age=31536000, immutable',
          extraHeaders: CORS_HEADERS,
          onBytes: (n) => metrics.addOriginBytes(owners[0], n),
        });
      }
      throw new HttpError(405, 'E_METHOD', `${method} is not allowed on a blob`);
    }
    if (/^\/api\/blobs\//.test(path)) throw new HttpError(400, 'E_BAD_REQUEST', 'blob names are 64 lowercase hex characters (their sha256)');
    throw new HttpError(404, 'E_NOT_FOUND', `no API at ${path}`);
  }

  async function publish(req: IncomingMessage, res: ServerResponse, address: string): Promise<void> {
    const ip = req.socket.remoteAddress ?? 'unknown';
    try {
      if (!publishLimiter.take(ip)) throw new HttpError(429, 'E_RATE_LIMITED', 'too many publishes from this address; wait a minute and try again');
      const body = await readBody(req, limits.maxBodyBytes);
      const manifest = await verifyManifest(parseManifestJson(new Uint8Array(body), siteLimits), { address, limits: siteLimits });
      await store.publish(manifest);
      metrics.countPublish('accepted');
      log.info('published', { address, seq: manifest.seq, files: manifest.files.length, ip });
      const hostHeader = req.headers.host ?? `${host}:${port}`;
      sendJson(res, 201, { address, seq: manifest.seq, url: `http://${address}.${appHostOf(hostHeader)}/` }, CORS_HEADERS);
    } catch (err) {
      metrics.countPublish('refused');
      const httpError = toHttpError(err);
      if (httpError.code === 'E_STALE_SEQ' || httpError.code === 'E_SEQ_CONFLICT') httpError.extra.currentSeq = store.current(address)?.seq;
      log.warn('publish_refused', { address, code: httpError.code, ip });
      throw httpError;
    }
  }

  async function seed(req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed on the origin seed`);
    const m = /^\/seed\/([0-9a-f]{40})\/([^/]+)\/(.+)$/.exec(path);
    if (!m) throw new HttpError(404, 'E_NOT_FOUND', 'origin seed paths are /seed/<infoHash>/<name>/<file path>');
    const manifest = store.byInfoHash(m[1]);
    if (!manifest) throw new HttpError(404, 'E_NOT_FOUND', 'no published version has this info hash');
    if (denied(manifest) || denylist.has(m[1])) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
    if (!originOn) throw new HttpError(503, 'E_ORIGIN_OFF', 'this server does not serve files; get them from peers');
    // Only an exact match of a manifest path is served, so `..` or `%2F` cannot step outside.
    const name = decodeSegment(m[2]);
    const filePath = m[3].split('/').map(decodeSegment).join('/');
    const file = name === manifest.torrent.name ? manifest.files.find((f) => f.path === filePath) : undefined;
    if (!file) throw new HttpError(404, 'E_NOT_FOUND', 'this version has no such file');
    await serveFile(req, res, {
      path: store.blobPath(file.sha256),
      size: file.size,
      type: file.type,
      etag: `"${file.sha256}"`,
      cacheControl: 'public, max-age=31536000, immutable',
      extraHeaders: CORS_HEADERS,
      onBytes: (n) => metrics.addOriginBytes(manifest.address, n),
    });
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    res.on('finish', () => {
      metrics.countRequest(res.statusCode);
      if (res.statusCode >= 400) log.info('request', { method: req.method, path: (req.url ?? '').slice(0, 200), status: res.statusCode, ms: Date.now() - started, ip: req.socket.remoteAddress });
    });
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
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    if (path !== '/announce') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    tracker.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 10 * 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // A wildcard bind is reached through loopback; IPv6 literals need brackets in a URL.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  log.info('listening', { url, origin: originOn, sites: store.siteCount });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    metrics,
    store,
    close() {
      closing ??= (async () => {
        denylist.stop();
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
