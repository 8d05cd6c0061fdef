import { parseUrl, type MinimalUrl } from './platform.js';

/**
 * What `GET /api/endpoints` on a site's origin answers: the trackers and mirrors the
 * operator named beside its own (signaling/endpoints-answer.ts builds it, pages ask with
 * src/swarm/extra-endpoints.ts). The signed manifest cannot carry these (the publisher
 * signs it, the operator picks servers), so they come from the page's own server, and get
 * no trust: every piece is hash-checked and every file's sha256 against the signed
 * manifest, whoever sent it.
 */
export interface EndpointsAnswer {
  /** False when the operator turned the built-in tracker off (`--no-tracker`). */
  builtInTracker: boolean;
  /** More WebSocket trackers to announce to (ws: or wss:). */
  trackers: string[];
  /** More webseed bases in the layout `<base>/<infoHash>/<torrent name>/<file path>`. */
  mirrors: string[];
}

/** At most this many of each are used, whatever the answer says. */
export const MAX_EXTRA_ENDPOINTS = 8;
const MAX_URL_LENGTH = 500;

/**
 * Reads an answer strictly: unknown shapes give `undefined`; entries that are not URLs
 * of the right scheme (or, on an https page, not secure: the browser would block them as
 * mixed content) are dropped, and only the first `MAX_EXTRA_ENDPOINTS` of each are kept.
 */
export function parseEndpointsAnswer(value: unknown, pageProtocol = 'https:'): EndpointsAnswer | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.builtInTracker !== 'boolean' || !Array.isArray(v.trackers) || !Array.isArray(v.mirrors)) return undefined;
  const secure = pageProtocol === 'https:';
  return {
    builtInTracker: v.builtInTracker,
    trackers: urlsOf(v.trackers, secure ? ['wss:'] : ['ws:', 'wss:'], false),
    mirrors: urlsOf(v.mirrors, secure ? ['https:'] : ['http:', 'https:'], true),
  };
}

function urlsOf(list: unknown[], schemes: string[], base: boolean): string[] {
  const out: string[] = [];
  for (const item of list.slice(0, 64)) {
    if (typeof item !== 'string' || item.length > MAX_URL_LENGTH) continue;
    let url: MinimalUrl;
    try {
      url = parseUrl(item);
    } catch {
      continue;
    }
    if (!schemes.includes(url.protocol) || url.username || url.password || url.search || url.hash) continue;
    // A mirror base always ends with one "/": the info hash is appended to it.
    const text = base ? `${url.href.replace(/\/+$/, '')}/` : url.href;
    if (!out.includes(text)) out.push(text);
    if (out.length >= MAX_EXTRA_ENDPOINTS) break;
  }
  return out;
}
