import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The client's IP address for logs, rate limits and per-IP caps, and for nothing else
 * (no URL, host or scheme is ever taken from a forwarded header: `--public-url` gives those).
 *
 * Without `trustProxy` it is the TCP peer, as the kernel reports it: any header a client
 * sends is ignored, so nobody can pick another client's budget. With `trustProxy` (the
 * operator says a proxy is in front and nothing else reaches the port) it is the address
 * the proxy right in front of us saw: the **last** entry of `X-Forwarded-For`, since
 * earlier entries are whatever the client sent and the proxy appends its own (nginx
 * `$proxy_add_x_forwarded_for`, or `$remote_addr` alone); without that header, the last
 * `for=` of `Forwarded` (RFC 7239 section 4). A missing or unreadable value (`unknown`, an
 * obfuscated `_name`, garbage) falls back to the TCP peer, the proxy itself.
 */
export function clientIpOf(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustProxy: boolean): string {
  const peer = normaliseIp(req.socket.remoteAddress ?? '') ?? 'unknown';
  if (!trustProxy) return peer;
  const forwarded = lastForwardedFor(req.headers['x-forwarded-for']) ?? lastForwardedParam(req.headers.forwarded);
  return (forwarded && normaliseIp(forwarded)) ?? peer;
}

/** A resolver bound to the operator's choice, for the server's handlers. */
export function clientIpResolver(trustProxy: boolean): (req: Pick<IncomingMessage, 'headers' | 'socket'>) => string {
  return (req) => clientIpOf(req, trustProxy);
}

/** The last entry of X-Forwarded-For; several headers count as one list (RFC 9110 section 5.3). */
function lastForwardedFor(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const entries = (Array.isArray(value) ? value.join(',') : value).split(',').map((s) => s.trim()).filter(Boolean);
  return entries.at(-1);
}

/** The `for=` of the last element of Forwarded: `for=192.0.2.60;proto=https`, `for="[2001:db8::1]:4711"`. */
function lastForwardedParam(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const last = value.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
  for (const pair of last?.split(';') ?? []) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim().toLowerCase() === 'for') return pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/**
 * An IP address in one spelling per client, or undefined: IPv4-mapped IPv6 as IPv4,
 * brackets and a port removed (`[2001:db8::1]:4711`, `192.0.2.60:80`), IPv6 lowercase.
 */
export function normaliseIp(text: string): string | undefined {
  let ip = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(ip);
  if (bracketed) ip = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  ip = ip.toLowerCase().replace(/^::ffff:(?=[\d.]+$)/, '');
  return isIP(ip) ? ip : undefined;
}
