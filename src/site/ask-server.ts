import { parseSwarmPeers, SWARM_HEADER, type SwarmPeers } from '../core/index.js';

/** What the server said about a site's manifest on the first request of a page. */
export type ServerAnswer =
  /** `swarm`: who holds the served version, when the server knows (src/core/swarm-peers.ts). */
  | { kind: 'ok'; candidate: unknown; swarm?: SwarmPeers }
  | { kind: 'not-found' }
  | { kind: 'denied' }
  | { kind: 'unreachable'; status?: number };

/** Asks `<server>/api/sites/<address>` once, within `timeoutMs`. The candidate is unverified. */
export async function askServer(server: string, address: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<ServerAnswer> {
  let response: Response;
  try {
    response = await fetchImpl(`${server}/api/sites/${address}`, { cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return { kind: 'unreachable' };
  }
  if (response.status === 451) return { kind: 'denied' };
  if (response.status === 404) return { kind: 'not-found' };
  if (!response.ok) return { kind: 'unreachable', status: response.status };
  const swarm = parseSwarmPeers(response.headers.get(SWARM_HEADER));
  return { kind: 'ok', candidate: await response.json().catch(() => undefined), ...(swarm ? { swarm } : {}) };
}
