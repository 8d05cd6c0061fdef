import { isAddress } from '../src/core/index.js';
import { LOCAL_APP_HOSTNAME } from '../src/settings/messages.js';

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
  /** Anything else: the app's origin. */
  | { kind: 'app' };

const LOOPBACK = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?$/i;

export function hostKindOf(hostHeader: string | undefined): HostKind {
  const host = hostHeader ?? '';
  const label = host.toLowerCase().split('.')[0];
  if (host.includes('.') && isAddress(label)) return { kind: 'site', address: label };
  const loopback = LOOPBACK.exec(host);
  if (loopback) return { kind: 'loopback', port: loopback[1] };
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
