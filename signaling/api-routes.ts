import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAddress } from '../src/core/index.js';
import { pointerRoute } from './dht-pointer-route.js';
import { sendEndpointsAnswer } from './endpoints-answer.js';
import { HttpError } from './errors.js';
import { sendFeaturesAnswer } from './features-answer.js';
import type { HostKind } from './host-kind.js';
import { CORS_HEADERS, checkDeclaredLength, sendJson, serveFile } from './http-util.js';
import { sendIceAnswer } from './ice-servers.js';
import { manifestAnswer, publish } from './manifest-route.js';
import { pageReportRoute } from './page-report-route.js';
import { INERT_BYTES_HEADERS, RAW_BYTES_TYPE } from './raw-bytes.js';
import type { ServerContext } from './server-context.js';

const BAD_ADDRESS = 'that is not a site address (52 lowercase base32 characters)';
const BAD_BLOB_NAME = 'blob names are 64 lowercase hex characters (their sha256)';

/**
 * `/api/...`, on any origin (docs/PROTOCOL.md, "HTTP API"): `rest` is the path after `api`,
 * in exact, normalised segments.
 * @throws {HttpError} with the reason for anything it refuses
 */
export async function apiRoute(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, rest: string[], method: string, host: HostKind): Promise<void> {
  const { store } = ctx;
  if (rest[0] === 'sites' && rest.length === 2) {
    const address = rest[1];
    if (!isAddress(address)) throw new HttpError(400, 'E_BAD_ADDRESS', BAD_ADDRESS);
    if (ctx.deniedSite(address)) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
    if (method === 'GET' || method === 'HEAD') return manifestAnswer(ctx, req, res, address);
    if (method === 'PUT') return publish(ctx, req, res, address);
    throw new HttpError(405, 'E_METHOD', `${method} is not allowed on a site`);
  }
  if (rest[0] === 'sites' && rest.length === 3 && rest[2] === 'pointer') {
    if (!isAddress(rest[1])) throw new HttpError(400, 'E_BAD_ADDRESS', BAD_ADDRESS);
    if (ctx.deniedSite(rest[1])) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
    return pointerRoute(req, res, method, rest[1], { pointers: ctx.pointers, take: () => ctx.publishLimiter.take(ctx.clientIp(req)) });
  }
  if (rest[0] === 'sites' && rest.length === 3 && (method === 'GET' || method === 'HEAD')) {
    // One stored version by its seq (`p2psite info --seq`): older versions' swarms still complete.
    const [, address, seqText] = rest;
    if (!isAddress(address)) throw new HttpError(400, 'E_BAD_ADDRESS', BAD_ADDRESS);
    if (!/^[1-9]\d{0,15}$/.test(seqText)) throw new HttpError(400, 'E_BAD_REQUEST', 'a version is its seq, a whole number from 1');
    if (ctx.deniedSite(address)) throw new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
    const version = store.infoHashesOf(address).map((ih) => store.byInfoHash(ih)).find((m) => m?.seq === Number(seqText));
    if (!version) throw new HttpError(404, 'E_NOT_FOUND', `this server holds no version ${seqText} of this site`);
    return sendJson(res, 200, version, { ...CORS_HEADERS, 'Cache-Control': 'no-cache' });
  }
  if (rest[0] === 'report' && rest.length === 1) {
    return pageReportRoute(req, res, method, host, { metrics: ctx.metrics, budget: ctx.reportBudget, hosted: (a) => Boolean(store.current(a)) && !ctx.deniedSite(a), ip: ctx.clientIp(req) });
  }
  if (rest[0] === 'blobs' && rest.length === 2) return blobRoute(ctx, req, res, rest[1], method, host);
  if (rest[0] === 'ice' && rest.length === 1) return sendIceAnswer(res, method, ctx.ice);
  if (rest[0] === 'endpoints' && rest.length === 1) return sendEndpointsAnswer(res, method, ctx.endpoints, host.kind === 'site' ? host.address : undefined);
  if (rest[0] === 'features' && rest.length === 1) return sendFeaturesAnswer(res, method, { originSeed: ctx.originOn, limits: ctx.siteLimits });
  if (rest[0] === 'blobs') throw new HttpError(400, 'E_BAD_REQUEST', BAD_BLOB_NAME);
  throw new HttpError(404, 'E_NOT_FOUND', `no API at /api/${rest.join('/').slice(0, 200)}`);
}

/**
 * `/api/blobs/<sha256>`: PUT stores a file ahead of its manifest; HEAD says whether the
 * server holds it; GET sends its bytes, inert, only on the origin of a site that publishes it.
 */
async function blobRoute(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, sha: string, method: string, host: HostKind): Promise<void> {
  const { store, limits } = ctx;
  if (!/^[0-9a-f]{64}$/.test(sha)) throw new HttpError(400, 'E_BAD_REQUEST', BAD_BLOB_NAME);
  if (method === 'PUT') {
    checkDeclaredLength(req, limits.maxBlobBytes);
    const result = await store.putBlob(sha, req, limits.maxBlobBytes, ctx.clientIp(req));
    return sendJson(res, result === 'created' ? 201 : 200, { sha256: sha });
  }
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed on a blob`);
  if (!ctx.originOn) throw new HttpError(503, 'E_ORIGIN_OFF', 'this server does not serve files; get them from peers');
  const owners = [...store.ownersOf(sha)].filter((a) => !ctx.deniedSite(a));
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
    onBytes: (n) => ctx.metrics.addOriginBytes(owner ?? owners[0], n),
  });
}
