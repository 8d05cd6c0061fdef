import type { IncomingMessage, ServerResponse } from 'node:http';
import { APP_ORIGIN_FRAMES, APP_PAGES } from '../src/core/app-pages.js';
import { HttpError } from './errors.js';
import { loopbackAppUrl, type HostKind } from './host-kind.js';
import { CORS_HEADERS, serveFile } from './http-util.js';
import type { ServerContext } from './server-context.js';
import { distFile } from './static-files.js';

/**
 * Our own build on every origin: the app at `/` of the app's host, the boot page for any
 * page of a site's host, the embed loader, and the build's files under `/__p2p/`.
 */

/**
 * A page that is not a reserved path: `segments` are the request path's, `pathname` for
 * the error. Only GET and HEAD come here.
 * @throws {HttpError} 404 E_NOT_FOUND
 */
export async function appPageRoute(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, segments: string[], host: HostKind, pathname: string): Promise<void> {
  // Any page of a site's origin: the boot page loads the site in the browser.
  if (host.kind === 'site') return sendDist(ctx, req, res, APP_PAGES.boot, {}, 'no-store');
  const rel = segments.join('/');
  if (rel === '') {
    // The app on a bare loopback host moves to its canonical host (src/core/origins.ts); the
    // browser keeps the #fragment across the redirect.
    if (host.kind === 'loopback') {
      res.writeHead(302, { Location: loopbackAppUrl(host), 'Cache-Control': 'no-store' }).end();
      return;
    }
    // Sites share the app's registrable domain: none of them may frame the app (its keys).
    return sendDist(ctx, req, res, APP_PAGES.app, { 'Content-Security-Policy': "frame-ancestors 'none'", 'X-Frame-Options': 'DENY' });
  }
  if (rel === 'loader.js') return sendDist(ctx, req, res, 'loader.js', CORS_HEADERS);
  throw new HttpError(404, 'E_NOT_FOUND', `nothing at ${pathname.slice(0, 200)}`);
}

/**
 * `/__p2p/<rel>`: a file of the build.
 * @throws {HttpError} 404 for the app's own page (only at `/`) and for the app's frames on a site's origin, 405
 */
export async function buildFileRoute(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, rest: string[], method: string, host: HostKind): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed here`);
  const rel = rest.join('/');
  // The app (and its keys) only at `/`, where it refuses to be framed.
  if (rel === APP_PAGES.app) throw new HttpError(404, 'E_NOT_FOUND', 'the app is at /');
  if (host.kind === 'site' && APP_ORIGIN_FRAMES.includes(rel)) throw new HttpError(404, 'E_NOT_FOUND', 'not served on a site origin');
  // CORS: the embed loader imports its engine from pages on other origins.
  const extra: Record<string, string> = { 'Access-Control-Allow-Origin': '*', ...(rel === 'sw.js' ? { 'Service-Worker-Allowed': '/' } : {}) };
  return sendDist(ctx, req, res, rel, extra);
}

/**
 * One file of the build, with its own caching unless `cacheControl` is given.
 * @throws {HttpError} 503 E_NO_BUILD when there is no build at all, 404 when this file is not in it
 */
async function sendDist(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, rel: string, extra: Record<string, string> = {}, cacheControl?: string): Promise<void> {
  const file = await distFile(ctx.distDir, rel);
  if (!file) {
    const built = await distFile(ctx.distDir, APP_PAGES.boot);
    if (!built) throw new HttpError(503, 'E_NO_BUILD', 'the app is not built yet; run `npm run build` (the server picks the build up without a restart)');
    throw new HttpError(404, 'E_NOT_FOUND', `no file ${rel}`);
  }
  await serveFile(req, res, { ...file, cacheControl: cacheControl ?? file.cacheControl, extraHeaders: extra });
}
