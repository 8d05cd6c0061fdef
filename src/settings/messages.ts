import { normaliseSettings, type ResourceSettings } from '../swarm/governor.js';

/**
 * Messages between a site's pages and the settings frame, a hidden page of the app's
 * origin (`/__p2p/settings.html`) that each site page embeds.
 *
 * Browsers deny storage to such third-party frames, but their BroadcastChannel reaches
 * the app's own tabs and the frames in other site pages. So the frame is a relay: the
 * app (when open) answers with the visitor's settings, every site keeps a first-party
 * copy of the newest settings it has seen (by `updatedAt`), and a change made in the app
 * reaches every open site page at once. See docs/ARCHITECTURE.md, "Settings".
 */

/** Site page -> frame: ready for settings. (The page's own copy stays with the page: see settings-frame.ts.) */
export interface HelloMessage {
  type: 'p2p-hello';
}

/** On SETTINGS_CHANNEL: settings someone holds, or a request for them. */
export type ChannelMessage = { type: 'settings'; settings: ResourceSettings } | { type: 'query' };

/** Frame -> site page. */
export type FrameMessage =
  /** The frame runs and heard the hello (sent at once): its answer follows. */
  | { type: 'p2p-frame-ready' }
  /** `fromStorage`: read from the app's storage, which wins over any copy. */
  | { type: 'p2p-settings'; settings: ResourceSettings; fromStorage?: boolean }
  /** The app's storage holds no saved settings: the defaults apply, no need to wait. */
  | { type: 'p2p-settings-none' }
  /** The frame cannot read the app's storage (the browser denies it): the page falls back to its own copy. */
  | { type: 'p2p-settings-unavailable' }
  /** How many site engines in this browser are active now, for splitting the caps. */
  | { type: 'p2p-engines'; active: number; rank: number };

/** Site page -> frame: this engine is alive (sent every few seconds while it runs). */
export interface HeartbeatMessage {
  type: 'p2p-heartbeat';
  address: string;
  /** Whether it uploads now; only these share the upload cap. */
  seeding: boolean;
  /** When this engine started; the most recently opened sites are seeded first. */
  since: number;
  /** The page is closing: forget this engine now rather than after the expiry. */
  gone?: boolean;
}

/** Clocks differ a little between processes; settings dated further ahead are refused. */
const MAX_CLOCK_SKEW_MS = 60_000;

/**
 * Settings fit to apply, or undefined: complete and in range, and not dated in the
 * future (a copy dated far ahead would otherwise win over every later change).
 */
export function acceptableSettings(input: unknown, now = Date.now()): ResourceSettings | undefined {
  if (!input || typeof input !== 'object') return undefined;
  let settings: ResourceSettings;
  try {
    settings = normaliseSettings(input as Partial<ResourceSettings>);
  } catch {
    return undefined;
  }
  if (!Number.isFinite(settings.updatedAt) || settings.updatedAt < 0 || settings.updatedAt > now + MAX_CLOCK_SKEW_MS) return undefined;
  return settings;
}

/** A heartbeat with sane fields (from a page we do not control), or undefined. */
export function acceptableHeartbeat(m: unknown, now = Date.now()): HeartbeatMessage | undefined {
  const h = m as Partial<HeartbeatMessage> | undefined;
  if (h?.type !== 'p2p-heartbeat' || typeof h.address !== 'string' || h.address.length > 300 || typeof h.seeding !== 'boolean') return undefined;
  if (typeof h.since !== 'number' || !Number.isFinite(h.since) || h.since < 0) return undefined;
  return { type: 'p2p-heartbeat', address: h.address, seeding: h.seeding, since: Math.min(h.since, now), gone: h.gone === true };
}

/** BroadcastChannel on the app's origin: settings changed, and engine heartbeats. */
export const SETTINGS_CHANNEL = 'p2p-settings';
export const ENGINES_CHANNEL = 'p2p-engines';

/**
 * An engine says it is alive this often while nothing changes (a change is sent at
 * once). Long on purpose: every beat wakes every open site's frame, which is most of an
 * idle page's CPU at short intervals.
 */
export const HEARTBEAT_MS = 15_000;
/** An engine that has not sent a heartbeat for this long is no longer counted. */
export const ENGINE_EXPIRY_MS = 40_000;

// The origin helpers moved to src/core/origins.ts (the server and the CLI read them too);
// re-exported while the pages that import them from here are rewritten (issue 16).
export { appOriginOf, canonicalAppOrigin, isSiteOriginOf, LOCAL_APP_HOSTNAME } from '../core/origins.js';
