import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatSwarmPeers, manifestEtag, parseManifestJson, SWARM_HEADER, verifyManifest } from '../src/core/index.js';
import { appHostOf } from '../src/core/origins.js';
import { HttpError, toHttpError } from './errors.js';
import { CORS_HEADERS, readBody, sendJson } from './http-util.js';
import { preferredWaitMs } from './manifest-waiters.js';
import { PEER_LOOKUP_HEADER } from './peer-servers.js';
import { publicSiteUrl } from './public-url.js';
import type { ServerContext } from './server-context.js';

/**
 * `GET /api/sites/<address>`: the newest manifest, with an ETag; a request that already
 * holds it and says `Prefer: wait=<s>` is held until the next version or the wait ends (a
 * long poll: how open pages hear of updates within a second, see manifest-waiters.ts).
 * @throws {HttpError} 404 E_NOT_FOUND (or E_POINTER_ONLY), 451 E_DENIED, 503 E_CLOSING
 */
export async function manifestAnswer(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, address: string): Promise<void> {
  const { store, peers, pointers, waiters } = ctx;
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
      if (ctx.deniedSite(address)) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
      manifest = store.current(address)!;
    }
    if (held === manifestEtag(manifest)) {
      res.writeHead(304, { ...headers, ETag: held });
      res.end();
      return;
    }
  }
  return sendJson(res, 200, manifest, { ...headers, ETag: manifestEtag(manifest), ...swarmHeader(ctx, manifest.torrent.infoHash) });
}

/** How many browsers hold the version (src/core/swarm-peers.ts), when this server's tracker is the only one. */
function swarmHeader(ctx: ServerContext, infoHash: string): Record<string, string> {
  if (!ctx.endpoints.builtInTracker || ctx.endpoints.trackers.length > 0) return {};
  return { [SWARM_HEADER]: formatSwarmPeers(ctx.tracker.swarmPeers(infoHash)) };
}

/**
 * `PUT /api/sites/<address>`: a signed manifest, verified and stored; open pages of the
 * site are woken. Refusals are counted and logged, then answered.
 * @throws {HttpError} 429 E_RATE_LIMITED, or the manifest's own error (E_STALE_SEQ with `currentSeq`, ...)
 */
export async function publish(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, address: string): Promise<void> {
  const { store, metrics, log, siteLimits } = ctx;
  const ip = ctx.clientIp(req);
  try {
    if (!ctx.publishLimiter.take(ip)) throw new HttpError(429, 'E_RATE_LIMITED', 'too many publishes from this address; wait a minute and try again');
    const body = await readBody(req, ctx.limits.maxBodyBytes);
    const manifest = await verifyManifest(parseManifestJson(new Uint8Array(body), siteLimits), { address, limits: siteLimits });
    await store.publish(manifest);
    ctx.waiters.wake(address);
    metrics.countPublish('accepted');
    log.info('published', { address, seq: manifest.seq, files: manifest.files.length, ip });
    const hostHeader = req.headers.host ?? ctx.listenHost();
    const url = ctx.publicUrl ? publicSiteUrl(ctx.publicUrl, address) : `http://${address}.${appHostOf(hostHeader)}/`;
    sendJson(res, 201, { address, seq: manifest.seq, url });
  } catch (err) {
    metrics.countPublish('refused');
    const httpError = toHttpError(err);
    if (httpError.code === 'E_STALE_SEQ' || httpError.code === 'E_SEQ_CONFLICT') httpError.extra.currentSeq = store.current(address)?.seq;
    log.warn('publish_refused', { address, code: httpError.code, ip });
    throw httpError;
  }
}
