import { parseServerFeatures, type ServerFeatures } from '../core/server-features.js';

let asked: Promise<ServerFeatures | undefined> | undefined;

/**
 * The app's server's features, asked once per page load; undefined when the server did
 * not say (unreachable, or too old to have the endpoint).
 */
export function serverFeatures(server = location.origin, fetchImpl: typeof fetch = fetch): Promise<ServerFeatures | undefined> {
  asked ??= fetchImpl(`${server}/api/features`, { cache: 'no-store' })
    .then(async (res) => (res.ok ? parseServerFeatures(await res.json()) : undefined))
    .catch(() => undefined)
    .then((features) => {
      // Not told (the server restarting?): ask again next time.
      if (!features) asked = undefined;
      return features;
    });
  return asked;
}
