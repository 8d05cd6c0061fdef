import { isAddress } from '../src/core/index.js';

/**
 * The address visitors use to reach the server when it runs behind a proxy or on a real
 * host (`--public-url https://p2p.example.org`): the app is at that origin, each site at
 * `<address>.<its host>`, the tracker at `wss://<its host>/announce`. Every URL the
 * server prints, returns or redirects to is built from it, never from a request header.
 */
export interface PublicUrl {
  /** `https:` or `http:`. */
  protocol: 'https:' | 'http:';
  /** Lowercase host name without the port: `p2p.example.org`. */
  hostname: string;
  /** The port when it is not the scheme's default, else undefined. */
  port: number | undefined;
  /** `hostname[:port]` as browsers send it in Host for this origin: `p2p.example.org`. */
  host: string;
  /** The app's origin, no trailing slash: `https://p2p.example.org`. */
  appOrigin: string;
}

export type PublicUrlErrorCode = 'E_BAD_PUBLIC_URL';

/** A `--public-url` the server cannot build origins from. */
export class PublicUrlError extends Error {
  readonly code: PublicUrlErrorCode = 'E_BAD_PUBLIC_URL';
  constructor(message: string) {
    super(`E_BAD_PUBLIC_URL: ${message}`);
    this.name = 'PublicUrlError';
  }
}

const DEFAULT_PORT = { 'https:': 443, 'http:': 80 } as const;

/**
 * Reads `--public-url`: an http(s) origin and nothing more (no path, query, fragment or
 * user name), whose host is a DNS name with a dot (sites are its subdomains, so an IP
 * address cannot be one) and whose first label is not a site address.
 * @throws {PublicUrlError} E_BAD_PUBLIC_URL with what was wrong and an example
 */
export function parsePublicUrl(text: string): PublicUrl {
  const example = 'expected an origin such as https://p2p.example.org';
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new PublicUrlError(`"${text.slice(0, 100)}" is not a URL; ${example}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PublicUrlError(`the scheme must be https: or http:, got ${url.protocol}; ${example}`);
  if (url.username || url.password) throw new PublicUrlError(`no user name or password belongs in it; ${example}`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) throw new PublicUrlError(`it must be an origin, without a path, query or fragment (got "${url.pathname}${url.search}${url.hash}"); ${example}`);
  const hostname = url.hostname.toLowerCase();
  if (hostname.startsWith('[') || /^[\d.]+$/.test(hostname) || !hostname.includes('.')) {
    throw new PublicUrlError(`the host must be a DNS name with a dot whose subdomains are the sites (a wildcard record *.${hostname} points at the proxy), got ${hostname}; ${example}`);
  }
  if (isAddress(hostname.split('.')[0])) throw new PublicUrlError(`the first label of ${hostname} is a site address; the app's host must be the sites' parent, e.g. p2p.example.org`);
  const protocol = url.protocol;
  // URL drops a default port already; keep the rule explicit for the Host comparison.
  const port = url.port && Number(url.port) !== DEFAULT_PORT[protocol] ? Number(url.port) : undefined;
  const host = port ? `${hostname}:${port}` : hostname;
  return { protocol, hostname, port, host, appOrigin: `${protocol}//${host}` };
}

/** A site's URL: `https://<address>.p2p.example.org/`. */
export function publicSiteUrl(pub: PublicUrl, address: string): string {
  return `${pub.protocol}//${address}.${pub.host}/`;
}

/** The tracker's URL: `wss://p2p.example.org/announce` (`ws:` for an http public URL). */
export function publicTrackerUrl(pub: PublicUrl): string {
  return `${pub.protocol === 'https:' ? 'wss:' : 'ws:'}//${pub.host}/announce`;
}

/**
 * What a Host header names under the public URL: the app's host, one site's host, or
 * neither. Compared case-insensitively, with the scheme's default port optional
 * (`p2p.example.org:443` is `p2p.example.org` for https), and nothing else accepted.
 */
export function publicHostOf(pub: PublicUrl, hostHeader: string | undefined): { kind: 'app' } | { kind: 'site'; address: string } | { kind: 'other' } {
  const host = stripDefaultPort(pub, (hostHeader ?? '').toLowerCase());
  if (host === pub.host) return { kind: 'app' };
  const dot = host.indexOf('.');
  if (dot > 0 && host.slice(dot + 1) === pub.host && isAddress(host.slice(0, dot))) return { kind: 'site', address: host.slice(0, dot) };
  return { kind: 'other' };
}

function stripDefaultPort(pub: PublicUrl, host: string): string {
  const suffix = `:${DEFAULT_PORT[pub.protocol]}`;
  return pub.port === undefined && host.endsWith(suffix) ? host.slice(0, -suffix.length) : host;
}
