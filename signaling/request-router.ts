import type { IncomingMessage, ServerResponse } from 'node:http';
import { classifyRequestPath } from '../src/core/index.js';
import { apiRoute } from './api-routes.js';
import { appPageRoute, buildFileRoute } from './app-files.js';
import { HttpError } from './errors.js';
import { hostKindOf, wrongHost, type HostKind } from './host-kind.js';
import { CORS_HEADERS, sendJson } from './http-util.js';
import { publicTrackerUrl } from './public-url.js';
import { seedRoute } from './seed-route.js';
import type { ServerContext } from './server-context.js';

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
 * Answers one HTTP request, or throws the HttpError to answer with: which origin it is for
 * (from its Host), then which path (the reserved ones first).
 */
export async function routeRequest(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = requestTarget(req.url);
  // The server and the service worker read paths the same way (src/core/reserved-paths.ts):
  // `//seed/x`, `/%73eed/x` and `/a/../seed/x` are the seed, `/announcements.html` a site file.
  const where = classifyRequestPath(target.pathname);
  if (where.kind === 'bad') throw new HttpError(400, 'E_BAD_REQUEST', 'the path has a broken %-escape; escape "%" as %25');
  const method = req.method ?? 'GET';
  const { publicUrl } = ctx;
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
  if (where.kind === 'reserved') return reservedRoute(ctx, req, res, where.segment, where.segments.slice(1), method, host);
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed here`);
  return appPageRoute(ctx, req, res, where.segments, host, target.pathname);
}

/** The paths the server keeps on every origin, matched on exact, normalised segments. */
async function reservedRoute(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, segment: string, rest: string[], method: string, host: HostKind): Promise<void> {
  const exact = rest.length === 0;
  if (segment === 'healthz' && exact) return sendJson(res, 200, { ok: true });
  if (segment === 'metrics' && exact) {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(ctx.metrics.text());
    return;
  }
  if (segment === 'announce' && exact && !ctx.endpoints.builtInTracker) throw new HttpError(404, 'E_NOT_FOUND', 'this server runs no tracker (--no-tracker); its pages use the trackers in /api/endpoints');
  if (segment === 'announce' && exact) throw new HttpError(426, 'E_UPGRADE_REQUIRED', `the tracker speaks WebSocket only: connect to ${ctx.publicUrl ? publicTrackerUrl(ctx.publicUrl) : 'ws://<this host>/announce'}`);
  if (segment === 'api') return apiRoute(ctx, req, res, rest, method, host);
  if (segment === 'seed') return seedRoute(ctx, req, res, rest, method, host);
  if (segment === '__p2p') return buildFileRoute(ctx, req, res, rest, method, host);
  throw new HttpError(404, 'E_NOT_FOUND', `nothing at /${[segment, ...rest].join('/').slice(0, 200)}`);
}
