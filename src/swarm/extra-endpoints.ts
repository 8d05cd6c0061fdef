import { parseEndpointsAnswer, type EndpointsAnswer } from '../core/endpoints-answer.js';
import type { SwarmEndpoints } from './version-transfer.js';

/** A page's side of the operator's extra trackers and mirrors; the answer's shape is in src/core/endpoints-answer.ts. */

/** The page's own endpoints with the operator's extra trackers and mirrors added. */
export function withExtraEndpoints(own: SwarmEndpoints, answer: EndpointsAnswer | undefined): SwarmEndpoints {
  if (!answer) return own;
  const announce = [...(answer.builtInTracker ? own.announce : []), ...answer.trackers.filter((t) => !own.announce.includes(t))];
  const ownSeed = own.seedBase.replace(/\/+$/, '/');
  const mirrors = [...(own.mirrors ?? []), ...answer.mirrors].filter((m, i, all) => m !== ownSeed && all.indexOf(m) === i);
  return { ...own, announce, mirrors };
}

/**
 * Asks the site's origin for its extra endpoints, within `timeoutMs`. An old server (404),
 * a failure or a malformed answer gives `undefined`: the page then uses its own server only.
 */
export async function fetchExtraEndpoints(siteOrigin: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<EndpointsAnswer | undefined> {
  try {
    const res = await fetchImpl(`${siteOrigin}/api/endpoints`, { cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    return parseEndpointsAnswer(await res.json(), new URL(siteOrigin).protocol);
  } catch {
    return undefined;
  }
}
