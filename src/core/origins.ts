import { isAddress } from './keys.js';
import { parseUrl } from './platform.js';

/**
 * Where the app and each site live, read the same way by the server, the CLI and every
 * browser page: a site is `<address>.<app host>`, the app is its own host, and a server
 * on loopback keeps its app at `p2p.localhost` (docs/ARCHITECTURE.md, "Every site on its
 * own origin").
 */

/**
 * The app's host name when the server runs on this machine. Sites are then served at
 * `<address>.p2p.localhost`, so the app and every site share one registrable domain
 * ("site", as browsers count it): the app's hidden frames inside site pages keep their
 * own storage, and a site's frame inside another site page reaches that site's cache
 * (eviction). With bare `localhost`, every `*.localhost` origin is a site of its own and
 * browsers deny storage to all those frames.
 */
export const LOCAL_APP_HOSTNAME = 'p2p.localhost';

/** The loopback names a server on this machine is reached by, moved to `LOCAL_APP_HOSTNAME`. */
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
/** A Host value that is a loopback name with an optional port; the port is group 1. */
const LOOPBACK_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?$/i;
/** A loopback name at the start of a Host value, up to its port. */
const LOOPBACK_HOST_PREFIX = /^(?:localhost|127\.0\.0\.1|\[::1\])(?=:|$)/i;

/** The site address of a host name like `<address>.p2p.localhost` or `<address>.example.org`. */
export function addressOfHost(hostname: string): string | undefined {
  const label = hostname.split('.')[0];
  return hostname.includes('.') && isAddress(label) ? label : undefined;
}

/**
 * For a Host value that is exactly a loopback name (`localhost`, `127.0.0.1`, `[::1]`,
 * any case) with an optional port: that port (undefined when none). Otherwise undefined
 * as a whole, so `localhost:8080@evil.example` is not loopback.
 */
export function loopbackHost(host: string): { port: string | undefined } | undefined {
  const match = LOOPBACK_HOST.exec(host);
  return match ? { port: match[1] } : undefined;
}

/**
 * The app's host for a request's Host value: `p2p.localhost:8080` for a loopback host,
 * the host itself otherwise. Sites are served at `<address>.<app host>`.
 */
export function appHostOf(host: string): string {
  return host.replace(LOOPBACK_HOST_PREFIX, LOCAL_APP_HOSTNAME);
}

/**
 * The app's canonical origin for a server URL: a loopback server's app lives at
 * `p2p.localhost` on the same port; any other host is its own app origin.
 * @throws {TypeError} when `serverUrl` is not an absolute URL
 */
export function canonicalAppOrigin(serverUrl: string): string {
  const url = parseUrl(serverUrl);
  if (!LOOPBACK_HOSTNAMES.has(url.hostname)) return url.origin;
  return `${url.protocol}//${LOCAL_APP_HOSTNAME}${url.port ? `:${url.port}` : ''}`;
}

/**
 * `<address>.<app host>` for a server URL; the URL's own origin when it already is that site's.
 * @throws {TypeError} when `serverUrl` is not an absolute URL
 */
export function siteOrigin(serverUrl: string, address: string): string {
  const url = parseUrl(serverUrl);
  if (url.hostname.split('.')[0] === address) return url.origin;
  const app = parseUrl(canonicalAppOrigin(serverUrl));
  return `${app.protocol}//${address}.${app.host}`;
}

/**
 * The WebSocket tracker of a server URL: `/announce` on the server's host, `wss:` for an
 * https server. Pages and the CLI's torrent files name the same one.
 * @throws {TypeError} when `serverUrl` is not an absolute URL
 */
export function trackerUrl(serverUrl: string): string {
  const server = parseUrl(serverUrl);
  return `${server.protocol === 'https:' ? 'wss:' : 'ws:'}//${server.host}/announce`;
}

/** The app origin for a site origin: the same URL with the address label removed. */
export function appOriginOf(siteLocation: { protocol: string; host: string }): string {
  return `${siteLocation.protocol}//${siteLocation.host.split('.').slice(1).join('.')}`;
}

/**
 * The address when `origin` is a site origin under the app's host: `<address>.<app host>`
 * with the app's scheme and port; undefined otherwise. Frames of the app use it so only
 * site pages get what they serve.
 */
export function isSiteOriginOf(origin: string, appLocation: { protocol: string; host: string }): string | undefined {
  let url;
  try {
    url = parseUrl(origin);
  } catch {
    return undefined;
  }
  if (url.protocol !== appLocation.protocol || url.host.indexOf('.') < 0) return undefined;
  const [label, ...rest] = url.host.split('.');
  if (rest.join('.') !== appLocation.host || !isAddress(label)) return undefined;
  return label;
}
