import type { IncomingMessage, ServerResponse } from 'node:http';
import { CoreError } from '../src/core/index.js';
import { HttpError } from './errors.js';
import { CORS_HEADERS, readBody, sendJson } from './http-util.js';
import { parsePointerBody, pointerJson } from './dht-pointer.js';
import type { DhtPointers } from './dht-pointers.js';

/** A pointer is `{ seq, sig, v }`: well under this. */
const MAX_POINTER_BODY = 4096;

export interface PointerRouteContext {
  /** Undefined when the server runs without `--dht`. */
  pointers: DhtPointers | undefined;
  /** The publish rate limit: one pointer costs a DHT put, like a publish costs a store write. */
  take: () => boolean;
}

/**
 * `/api/sites/<address>/pointer`: `PUT` a signed pointer for a stored version (the
 * server re-puts it on the DHT), `GET` the one it holds or has seen. The address is
 * checked and not refused before this is called.
 */
export async function pointerRoute(req: IncomingMessage, res: ServerResponse, method: string, address: string, ctx: PointerRouteContext): Promise<void> {
  const pointers = ctx.pointers;
  if (method !== 'GET' && method !== 'HEAD' && method !== 'PUT') throw new HttpError(405, 'E_METHOD', `${method} is not allowed on a pointer`);
  if (!pointers) throw new HttpError(503, 'E_DHT_OFF', 'this server does not join the DHT (start it with --dht); the manifest alone is enough here');
  if (method === 'PUT') {
    if (!ctx.take()) throw new HttpError(429, 'E_RATE_LIMITED', 'too many publishes from this address; wait a minute and try again');
    const body = await readBody(req, MAX_POINTER_BODY);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new CoreError('E_BAD_POINTER', 'the body is not JSON; send { "seq", "sig", "v" }');
    }
    const pointer = await pointers.accept(await parsePointerBody(address, json));
    return sendJson(res, 202, pointerJson(pointer));
  }
  const known = pointers.known(address);
  if (!known) throw new HttpError(404, 'E_NOT_FOUND', 'this server has no pointer for this site');
  return sendJson(res, 200, pointerJson(known), { ...CORS_HEADERS, 'Cache-Control': 'no-cache' });
}
