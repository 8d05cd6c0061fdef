import { createHmac, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { IceAnswer, OperatorIceServer } from '../src/core/ice-answer.js';
import { HttpError } from './errors.js';
import { sendJson } from './http-util.js';

/**
 * The STUN and TURN servers an operator names (`--ice-server`, `--turn-secret`), and the
 * short-lived TURN credentials pages get from `GET /api/ice`. TURN uses coturn's
 * `use-auth-secret` scheme (draft-uberti-behave-turn-rest-00, "TURN REST API"): the
 * server and the TURN server share a secret; a page gets a username that names its
 * expiry and an HMAC of it, never the secret, and nothing is stored per visitor.
 */

export type IceConfigErrorCode =
  /** An `--ice-server` value is not a STUN or TURN URL (RFC 7064, RFC 7065). */
  | 'E_ICE_URL'
  /** TURN servers without a secret, a secret without TURN servers, or an empty secret. */
  | 'E_TURN_SECRET'
  /** A credential lifetime out of range. */
  | 'E_TURN_TTL';

export class IceConfigError extends Error {
  constructor(
    readonly code: IceConfigErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'IceConfigError';
  }
}

/** One hour: long enough for a visit, short enough that a leaked credential soon stops working. */
export const DEFAULT_TURN_TTL_SECONDS = 3600;

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/i;

/**
 * Checks one `--ice-server` value: `stun:` or `stuns:` `host[:port]` (RFC 7064), `turn:` or
 * `turns:` `host[:port][?transport=udp|tcp]` (RFC 7065). No user name or password in the
 * URL: TURN credentials come from `--turn-secret`. Returns the URL as browsers take it.
 * @throws {IceConfigError} E_ICE_URL, saying what is wrong and what is expected
 */
export function parseIceServerUrl(text: string): string {
  const value = text.trim();
  const expected = 'expected stun:HOST[:PORT] or turn:HOST[:PORT][?transport=udp|tcp] (stuns:, turns: for TLS)';
  const bad = (why: string) => new IceConfigError('E_ICE_URL', `--ice-server "${value.slice(0, 200)}": ${why}; ${expected}`);
  const match = /^(stuns?|turns?):(.*)$/i.exec(value);
  if (!match) throw bad('unknown scheme');
  const scheme = match[1].toLowerCase();
  let rest = match[2];
  if (rest.startsWith('//')) throw bad('no "//" after the scheme');
  if (rest.includes('@')) throw bad('no user name or password in the URL (TURN credentials come from --turn-secret)');
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (query) {
    if (!scheme.startsWith('turn')) throw bad('a STUN URL takes no query');
    if (!/^transport=(udp|tcp)$/i.test(query)) throw bad(`the only query is transport=udp or transport=tcp, got "?${query}"`);
    query = query.toLowerCase();
  }
  const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(rest);
  if (!hostPort || !hostPort[1]) throw bad('a host is missing');
  const host = hostPort[1];
  // All digits and dots is an IPv4 address or nothing (`999.1.1.1` is no host name).
  const named = /^[\d.]+$/.test(host) ? IPV4.test(host) : HOST_NAME.test(host) || IPV6.test(host);
  if (!named) throw bad(`"${host.slice(0, 100)}" is not a host name or IP address`);
  if (hostPort[2] !== undefined) {
    const port = Number(hostPort[2]);
    if (port < 1 || port > 65535) throw bad(`port ${hostPort[2]} is out of range (1 to 65535)`);
  }
  return `${scheme}:${rest.toLowerCase()}${query ? `?${query}` : ''}`;
}

/** Splits `P2P_ICE_SERVERS` (comma-separated) into values for `parseIceServerUrl`. */
export function splitIceServerList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export interface OperatorIceOptions {
  /** `--ice-server` values, checked by `parseIceServerUrl`. */
  urls: readonly string[];
  /** coturn's `static-auth-secret`; required when any URL is `turn:` or `turns:`. */
  turnSecret?: string;
  ttlSeconds?: number;
}

export interface OperatorIceConfig {
  stun: string[];
  turn: string[];
  turnSecret?: string;
  ttlSeconds: number;
}

/**
 * Checks the operator's ICE options together.
 * @throws {IceConfigError} E_ICE_URL for a bad URL, E_TURN_SECRET when TURN servers and
 *   the secret do not come together, E_TURN_TTL for a lifetime out of range
 */
export function parseOperatorIce(options: OperatorIceOptions): OperatorIceConfig {
  const urls = [...new Set(options.urls.map(parseIceServerUrl))];
  const turn = urls.filter((u) => u.startsWith('turn'));
  const stun = urls.filter((u) => u.startsWith('stun'));
  const secret = options.turnSecret;
  if (secret !== undefined && secret.trim() === '') throw new IceConfigError('E_TURN_SECRET', 'the TURN secret is empty; give coturn\'s static-auth-secret with --turn-secret or --turn-secret-file');
  if (turn.length && secret === undefined) throw new IceConfigError('E_TURN_SECRET', `${turn[0]} needs --turn-secret (or --turn-secret-file, P2P_TURN_SECRET): the secret coturn was started with (use-auth-secret, static-auth-secret)`);
  if (!turn.length && secret !== undefined) throw new IceConfigError('E_TURN_SECRET', 'a TURN secret was given but no turn: server; add --ice-server turn:HOST:PORT');
  const ttl = options.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS;
  if (!Number.isSafeInteger(ttl) || ttl < 60 || ttl > 7 * 86_400) throw new IceConfigError('E_TURN_TTL', `the TURN credential lifetime must be 60 to 604800 seconds, got ${ttl}`);
  return { stun, turn, turnSecret: secret?.trim(), ttlSeconds: ttl };
}

/**
 * coturn's REST credentials: username `<expiry unix time>:<id>`, password
 * base64(HMAC-SHA1(secret, username)). coturn refuses the username once its time has passed.
 */
export function turnCredential(secret: string, expiresAtSeconds: number, id: string): { username: string; credential: string } {
  const username = `${expiresAtSeconds}:${id}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/**
 * The answer of `GET /api/ice` as of `now`: STUN servers as they are, TURN servers with
 * a fresh credential of their own. An operator who named nothing answers an empty list.
 */
export function iceAnswer(config: OperatorIceConfig, now = Date.now(), id = randomBytes(9).toString('base64url')): IceAnswer {
  const iceServers: OperatorIceServer[] = [];
  if (config.stun.length) iceServers.push({ urls: [...config.stun] });
  if (!config.turn.length || config.turnSecret === undefined) return { iceServers, expiresAt: null };
  const expires = Math.floor(now / 1000) + config.ttlSeconds;
  iceServers.push({ urls: [...config.turn], ...turnCredential(config.turnSecret, expires, id) });
  return { iceServers, expiresAt: expires * 1000 };
}

/**
 * Answers `GET /api/ice` on the app's and every site's origin. `no-store`: a credential
 * must never be kept by a cache and handed to someone else. Not CORS-readable: pages on
 * other websites (the embed loader) never get TURN credentials.
 * @throws {HttpError} 405 E_METHOD for anything but GET and HEAD
 */
export function sendIceAnswer(res: ServerResponse, method: string, config: OperatorIceConfig): void {
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed on /api/ice; use GET`);
  sendJson(res, 200, iceAnswer(config), { 'Cache-Control': 'no-store' });
}
