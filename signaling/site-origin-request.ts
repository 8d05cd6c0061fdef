import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { siteOrigin } from '../src/core/origins.js';

/** A site-origin request that failed: unreachable, timed out, or not a 200. */
export class SiteOriginError extends Error {
  constructor(
    readonly code: 'E_UNREACHABLE' | 'E_STATUS',
    message: string,
    readonly status?: number,
  ) {
    super(`${code}: ${message}`);
    this.name = 'SiteOriginError';
  }
}

/**
 * GETs `path` on a site's own origin at a server (`<address>.<app host>`), the only origin
 * where a server sends that site's bytes. Browsers map every `*.localhost` to loopback but
 * Node's resolver does not, so a `*.localhost` origin is reached on 127.0.0.1 with its
 * name in the Host header. Resolves with the 200 response, unread, to stream.
 * @throws {SiteOriginError} E_UNREACHABLE, or E_STATUS for any other status (the body is drained)
 */
export function getFromSiteOrigin(server: string, address: string, path: string, timeoutMs = 30_000): Promise<IncomingMessage> {
  const origin = new URL(siteOrigin(server, address));
  const loopbackName = origin.hostname.endsWith('.localhost');
  const request = origin.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: loopbackName ? '127.0.0.1' : origin.hostname,
        port: origin.port || (origin.protocol === 'https:' ? 443 : 80),
        path,
        method: 'GET',
        headers: { Host: origin.host },
        servername: loopbackName ? undefined : origin.hostname,
        timeout: timeoutMs,
      },
      (res) => {
        if (res.statusCode === 200) return resolve(res);
        res.resume();
        reject(new SiteOriginError('E_STATUS', `${origin.host}${path.slice(0, 120)} answered ${res.statusCode}`, res.statusCode));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => reject(new SiteOriginError('E_UNREACHABLE', `${origin.host} is unreachable: ${err.message}`)));
    req.end();
  });
}
