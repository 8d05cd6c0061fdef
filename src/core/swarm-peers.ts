/**
 * The `P2P-Swarm` response header of the manifest API: how many browsers the server's own
 * tracker counts in the served version's swarm, so a first visit knows at once whether
 * any peer can send the site, without announcing and waiting to hear that nobody is
 * there. Sent only when the server's tracker is the only one its pages use: otherwise
 * peers may be elsewhere, and the header is left out (unknown).
 */
export const SWARM_HEADER = 'P2P-Swarm';

export interface SwarmPeers {
  /** Browsers holding every file of the version. */
  seeders: number;
  /** Browsers still fetching it. */
  leechers: number;
}

export function formatSwarmPeers(peers: SwarmPeers): string {
  return `seeders=${peers.seeders}, leechers=${peers.leechers}`;
}

/** The counts, or undefined for an absent or malformed header (treated as unknown, never as "nobody"). */
export function parseSwarmPeers(value: string | null | undefined): SwarmPeers | undefined {
  const match = /^seeders=(\d{1,9}), leechers=(\d{1,9})$/.exec(value?.trim() ?? '');
  return match ? { seeders: Number(match[1]), leechers: Number(match[2]) } : undefined;
}
