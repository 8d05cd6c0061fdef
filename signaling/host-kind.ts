import { addressOfHost, LOCAL_APP_HOSTNAME, loopbackHost } from '../src/core/origins.js';
import { HttpError } from './errors.js';
import { publicHostOf, publicSiteUrl, type PublicUrl } from './public-url.js';

/**
 * Which origin a request is for, from its Host header. The Host header is chosen by the
 * client, so nothing here trusts it beyond its shape: a site is a valid address as the
 * first label; a bare loopback host is recognised only in its exact forms.
 */
export type HostKind =
  /** `<address>.<app host>`: one site's origin. */
  | { kind: 'site'; address: string }
  /** `localhost`, `127.0.0.1` or `[::1]` with an optional port: moved to the app's canonical host. */
  | { kind: 'loopback'; port: string | undefined }
  /** Anything else: the app's origin (with a public URL: exactly its host). */
  | { kind: 'app' }
  /** Only with a public URL: neither its host nor one of its sites' (see `wrongHost`). */
  | { kind: 'other' };

/**
 * Without a public URL, by shape only (any domain, so `npm start` works on any name).
 * With one (`--public-url`), only its host is the app and only `<address>.<its host>` a
 * site; every other Host, loopback included, is `other`.
 */
export function hostKindOf(hostHeader: string | undefined, publicUrl?: PublicUrl): HostKind {
  if (publicUrl) return publicHostOf(publicUrl, hostHeader);
  const host = hostHeader ?? '';
  const address = addressOfHost(host.toLowerCase());
  if (address) return { kind: 'site', address };
  const loopback = loopbackHost(host);
  if (loopback) return { kind: 'loopback', port: loopback.port };
  return { kind: 'app' };
}

/**
 * The app's canonical URL for a bare loopback host: `http://p2p.localhost:<port>/`. Built
 * only from the validated port, never from the rest of the Host header, so the redirect
 * cannot be pointed anywhere else (`localhost:8080@evil.example`).
 */
export function loopbackAppUrl(kind: Extract<HostKind, { kind: 'loopback' }>): string {
  return `http://${LOCAL_APP_HOSTNAME}${kind.port ? `:${Number(kind.port)}` : ''}/`;
}

/**
 * The answer for a Host that is neither the public app host nor one of its sites: 421
 * Misdirected Request (RFC 9110 section 15.5.20) rather than the app, so a wrong DNS
 * record or a proxy that drops the Host header shows up at once instead of serving the
 * app on a name whose subdomains are not its sites.
 */
export function wrongHost(publicUrl: PublicUrl): HttpError {
  return new HttpError(
    421,
    'E_WRONG_HOST',
    `this server answers for ${publicUrl.appOrigin} and its sites (${publicSiteUrl(publicUrl, '<address>')}) only; open those, and make a proxy in front pass the Host header it received (nginx: proxy_set_header Host $http_host)`,
  );
}
