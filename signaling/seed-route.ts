import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';
import type { HostKind } from './host-kind.js';
import { CORS_HEADERS, serveFile } from './http-util.js';
import { INERT_BYTES_HEADERS, RAW_BYTES_TYPE } from './raw-bytes.js';
import type { ServerContext } from './server-context.js';
import { seedSpanRoute } from './seed-span-route.js';

/**
 * `/seed/<infoHash>/<name>/<file path>` (or a span of files, seed-span-route.ts): the origin seed (a BEP 19 webseed) of one
 * version, on its site's own origin only, its bytes inert (signaling/raw-bytes.ts).
 * @throws {HttpError} 404, 405, 451 E_DENIED, 503 E_ORIGIN_OFF
 */
export async function seedRoute(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, rest: string[], method: string, host: HostKind): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed on the origin seed`);
  const [infoHash, name, ...filePath] = rest;
  const spanQuery = !name && !filePath.length ? new URL(req.url ?? '/', 'http://host').searchParams.get('files') : null;
  if (!/^[0-9a-f]{40}$/.test(infoHash ?? '') || ((!name || !filePath.length) && spanQuery === null)) {
    throw new HttpError(404, 'E_NOT_FOUND', 'origin seed paths are /seed/<infoHash>/<name>/<file path>, or /seed/<infoHash>/?files=<from>-<to>');
  }
  const manifest = ctx.store.byInfoHash(infoHash);
  if (!manifest) throw new HttpError(404, 'E_NOT_FOUND', 'no published version has this info hash');
  // A site's bytes only on its own origin: never on the app's (its keys) or another site's.
  if (host.kind !== 'site' || host.address !== manifest.address) {
    throw new HttpError(404, 'E_NOT_FOUND', `this version's origin seed is on its site's own origin: <address>.<this host>/seed/${infoHash}/`);
  }
  if (ctx.denied(manifest) || ctx.denylist.has(infoHash)) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
  if (!ctx.originOn) throw new HttpError(503, 'E_ORIGIN_OFF', 'this server does not serve files; get them from peers');
  if (spanQuery !== null) return seedSpanRoute(ctx, req, res, manifest, spanQuery);
  // Only an exact match of a manifest path is served, so `..` or `%2F` cannot step outside.
  const path = filePath.join('/');
  const file = name === manifest.torrent.name ? manifest.files.find((f) => f.path === path) : undefined;
  if (!file) throw new HttpError(404, 'E_NOT_FOUND', 'this version has no such file');
  await serveFile(req, res, {
    path: ctx.store.blobPath(file.sha256),
    size: file.size,
    type: RAW_BYTES_TYPE,
    etag: `"${file.sha256}"`,
    cacheControl: 'public, max-age=31536000, immutable',
    extraHeaders: { ...CORS_HEADERS, ...INERT_BYTES_HEADERS },
    onBytes: (n) => ctx.metrics.addOriginBytes(manifest.address, n),
  });
}
