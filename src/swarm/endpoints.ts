import { canonicalAppOrigin } from '../settings/messages.js';
import type { SwarmEndpoints } from './site-swarm.js';

/**
 * Where a site's swarm meets and where its origin seed is, for a server URL (the app's
 * origin, a loopback server, or the site's own origin). The tracker is on the server's
 * host; the seed on the site's own origin, the only one where the server serves that
 * site's raw bytes (docs/ARCHITECTURE.md, "What the server serves where").
 */
export function swarmEndpoints(serverUrl: string, address: string): SwarmEndpoints {
  const server = new URL(serverUrl);
  const ws = server.protocol === 'https:' ? 'wss:' : 'ws:';
  return { announce: [`${ws}//${server.host}/announce`], seedBase: `${siteOrigin(serverUrl, address)}/seed/` };
}

/** `<address>.<app host>` for a server URL; the URL's own origin when it already is that site's. */
export function siteOrigin(serverUrl: string, address: string): string {
  const url = new URL(serverUrl);
  if (url.hostname.split('.')[0] === address) return url.origin;
  const app = new URL(canonicalAppOrigin(serverUrl));
  return `${app.protocol}//${address}.${app.host}`;
}
