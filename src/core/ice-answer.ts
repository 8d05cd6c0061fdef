/**
 * The answer of `GET /api/ice`: the STUN and TURN servers the operator names, with
 * short-lived TURN credentials. One shape for the server that writes it and the pages
 * that read it (STYLE.md rule 5). Pure: no DOM, no fetch.
 */

/** One ICE server as RTCConfiguration takes it. */
export interface OperatorIceServer {
  urls: string[];
  /** TURN only: `<expiry unix time>:<random id>` (coturn's `use-auth-secret` scheme). */
  username?: string;
  /** TURN only: base64(HMAC-SHA1(secret, username)). */
  credential?: string;
}

export interface IceAnswer {
  iceServers: OperatorIceServer[];
  /** When the TURN credentials stop working (ms since epoch); null when there are none. */
  expiresAt: number | null;
}

/** The URL schemes of RFC 7064 (STUN) and RFC 7065 (TURN). */
export const ICE_URL_SCHEMES = ['stun:', 'stuns:', 'turn:', 'turns:'] as const;

const MAX_SERVERS = 16;
const MAX_URLS = 8;
const MAX_TEXT = 512;

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT;
}

/**
 * Checks an answer before any of it reaches RTCPeerConnection: a page must not hand
 * the browser ICE servers it was not meant to use (another scheme, a huge list). Returns
 * undefined for anything else than the shape above, so the caller goes on without it.
 */
export function parseIceAnswer(input: unknown, now = Date.now()): IceAnswer | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const { iceServers, expiresAt } = input as Record<string, unknown>;
  if (!Array.isArray(iceServers) || iceServers.length > MAX_SERVERS) return undefined;
  if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) return undefined;
  const servers: OperatorIceServer[] = [];
  for (const entry of iceServers) {
    if (!entry || typeof entry !== 'object') return undefined;
    const { urls, username, credential } = entry as Record<string, unknown>;
    if (!Array.isArray(urls) || urls.length === 0 || urls.length > MAX_URLS) return undefined;
    if (!urls.every((u) => isText(u) && ICE_URL_SCHEMES.some((s) => u.startsWith(s)))) return undefined;
    const turn = urls.some((u: string) => u.startsWith('turn'));
    if (turn !== (username !== undefined) || turn !== (credential !== undefined)) return undefined;
    if (turn && (!isText(username) || !isText(credential))) return undefined;
    servers.push(turn ? { urls: [...urls], username: username as string, credential: credential as string } : { urls: [...urls] });
  }
  const hasTurn = servers.some((s) => s.username !== undefined);
  // Credentials already expired are useless; a TURN entry without a date cannot be refreshed.
  if (hasTurn && (expiresAt === null || (expiresAt as number) <= now)) return undefined;
  return { iceServers: servers, expiresAt: hasTurn ? (expiresAt as number) : null };
}
