import { siteOrigin, trackerUrl } from '../core/origins.js';
import type { SwarmEndpoints } from './site-swarm.js';

/**
 * Where a site's swarm meets and where its origin seed is, for a server URL (the app's
 * origin, a loopback server, or the site's own origin). The tracker is on the server's
 * host; the seed on the site's own origin, the only one where the server serves that
 * site's raw bytes (docs/ARCHITECTURE.md, "What the server serves where").
 */
export function swarmEndpoints(serverUrl: string, address: string): SwarmEndpoints {
  return { announce: [trackerUrl(serverUrl)], seedBase: `${siteOrigin(serverUrl, address)}/seed/` };
}
