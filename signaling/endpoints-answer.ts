import type { ServerResponse } from 'node:http';
import { siteOrigin } from '../src/core/origins.js';
import { MAX_EXTRA_ENDPOINTS, type EndpointsAnswer } from '../src/core/endpoints-answer.js';
import { HttpError } from './errors.js';
import { CORS_HEADERS, sendJson } from './http-util.js';

export type EndpointsConfigCode = 'E_BAD_TRACKER' | 'E_BAD_MIRROR' | 'E_BAD_PEER_SERVER' | 'E_TOO_MANY';

/** A bad `--tracker`, `--mirror` or `--peer-server`: the server does not start. */
export class EndpointsConfigError extends Error {
  constructor(
    readonly code: EndpointsConfigCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'EndpointsConfigError';
  }
}

/** The operator's other servers, as the server uses them. */
export interface EndpointsConfig {
  /** The server's own tracker at `/announce` (off: `--no-tracker`). */
  builtInTracker: boolean;
  /** External WebSocket trackers (`--tracker`), announced to by every page. */
  trackers: string[];
  /** Static webseed mirrors (`--mirror`), bases of `<base>/<infoHash>/<name>/<path>`. */
  mirrors: string[];
  /** Other servers of this kind (`--peer-server`): manifests, blobs, their trackers and origin seeds. */
  peerServers: string[];
}

export const NO_EXTRA_ENDPOINTS: Readonly<EndpointsConfig> = Object.freeze({ builtInTracker: true, trackers: [], mirrors: [], peerServers: [] });

function checkedUrls(list: readonly string[], schemes: string[], code: EndpointsConfigCode, flag: string, example: string): string[] {
  if (list.length > MAX_EXTRA_ENDPOINTS) throw new EndpointsConfigError('E_TOO_MANY', `at most ${MAX_EXTRA_ENDPOINTS} ${flag} are used by pages, got ${list.length}; drop some`);
  return list.map((text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new EndpointsConfigError(code, `${flag} expects a URL like ${example}, got "${text.slice(0, 100)}"`);
    }
    if (!schemes.includes(url.protocol)) throw new EndpointsConfigError(code, `${flag} expects a ${schemes.join(' or ')} URL like ${example}, got "${text.slice(0, 100)}"`);
    if (url.username || url.password || url.search || url.hash || text.length > 500) throw new EndpointsConfigError(code, `${flag} takes a plain URL (no user, query or fragment, under 500 characters), got "${text.slice(0, 100)}"`);
    return url.href.replace(/\/+$/, '');
  });
}

/**
 * Checks the flags' URLs. Trackers keep their path (`wss://t.example/announce`); mirror
 * and peer server URLs lose a trailing `/`.
 * @throws {EndpointsConfigError} for a URL of the wrong scheme, with credentials or a query, or too many
 */
export function parseEndpointsConfig(flags: { builtInTracker?: boolean; trackers?: readonly string[]; mirrors?: readonly string[]; peerServers?: readonly string[] }): EndpointsConfig {
  return {
    builtInTracker: flags.builtInTracker ?? true,
    trackers: checkedUrls(flags.trackers ?? [], ['ws:', 'wss:'], 'E_BAD_TRACKER', '--tracker', 'wss://tracker.example.org/announce'),
    mirrors: checkedUrls(flags.mirrors ?? [], ['http:', 'https:'], 'E_BAD_MIRROR', '--mirror', 'https://cdn.example.org/p2p'),
    peerServers: checkedUrls(flags.peerServers ?? [], ['http:', 'https:'], 'E_BAD_PEER_SERVER', '--peer-server', 'https://p2p.other.example'),
  };
}

/** A peer server's built-in tracker, on its host like ours (signaling/server.ts, `/announce`). */
export function peerTracker(peerServer: string): string {
  const url = new URL(peerServer);
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}/announce`;
}

/**
 * What pages of `address` (undefined: the app's origin) use beside this server: the named
 * trackers and mirrors, and each peer server's tracker and that site's origin seed there.
 */
export function endpointsAnswer(config: EndpointsConfig, address: string | undefined): EndpointsAnswer {
  const trackers = [...config.trackers, ...config.peerServers.map(peerTracker)];
  const mirrors = [...config.mirrors, ...(address ? config.peerServers.map((p) => `${siteOrigin(p, address)}/seed`) : [])];
  return { builtInTracker: config.builtInTracker, trackers: [...new Set(trackers)].slice(0, MAX_EXTRA_ENDPOINTS), mirrors: [...new Set(mirrors)].slice(0, MAX_EXTRA_ENDPOINTS) };
}

/** `GET /api/endpoints`: public, the same for every visitor of a site; any origin may read it. */
export function sendEndpointsAnswer(res: ServerResponse, method: string, config: EndpointsConfig, address: string | undefined): void {
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed on /api/endpoints`);
  sendJson(res, 200, endpointsAnswer(config, address), { ...CORS_HEADERS, 'Cache-Control': 'public, max-age=60' });
}
