/**
 * The resource governor's decisions, kept pure so they can be tested in Node: how much
 * of each cap one site's engine may use, whether it may share at all right now, and
 * which cached sites to evict. The engines apply the decisions (see engine.ts).
 */

/** How a visitor lets this browser take part in the swarm. */
export type SharingMode =
  /** Download from peers and share back, within the caps. */
  | 'share'
  /** Download from peers, never upload. */
  | 'download-only'
  /** No WebRTC at all: everything from the origin seed, so no peer learns this visitor's IP address. */
  | 'origin-only';

export interface ResourceSettings {
  sharing: SharingMode;
  /** "Stop sharing": no uploads until the visitor resumes. */
  paused: boolean;
  /** Bytes per second summed over every site this browser serves; -1 for no cap. */
  uploadLimit: number;
  downloadLimit: number;
  /** Peer connections summed over every site. */
  maxConnections: number;
  /** Sites seeded at once (the ones open in a tab). */
  maxSeededSites: number;
  /** Bytes of cache for sites, all origins together. */
  storageQuota: number;
  /** Seeding pauses when every page of a site has been hidden this long. */
  hiddenGraceMs: number;
  pauseOnMetered: boolean;
  pauseOnLowBattery: boolean;
  /** The visitor's own ICE servers (STUN/TURN); empty means the operator's (`/api/ice`), if it names any. */
  iceServers: { urls: string | string[]; username?: string; credential?: string }[];
  /** Only relayed (TURN) connections, so peers see the relay's address, not this visitor's. */
  relayOnly: boolean;
  /** When the visitor last changed anything (ms since epoch); the newest settings win. */
  updatedAt: number;
}

/**
 * Defaults a person would not notice:
 * - upload 256 kB/s (about 2 Mbit/s): a small share of a typical broadband uplink,
 *   enough to hand a typical page (a few hundred kB) to the next visitor in about a
 *   second; visitors who need more get the origin seed's help as well;
 * - download uncapped: the visitor asked for the site and wants it now;
 * - 8 connections: enough to fetch from several peers, far below what strains a
 *   browser or a home router (WebTorrent's own default is 55);
 * - 3 sites seeded at once: only sites open in a tab are seeded anyway;
 * - 300 MB of cache, or less when the browser grants little (see `defaultQuota`);
 * - pause after 5 minutes with every page of the site hidden, and on metered
 *   connections or a low battery where the browser tells us.
 */
export const DEFAULT_SETTINGS: Readonly<ResourceSettings> = Object.freeze({
  sharing: 'share',
  paused: false,
  uploadLimit: 256_000,
  downloadLimit: -1,
  maxConnections: 8,
  maxSeededSites: 3,
  storageQuota: 300_000_000,
  hiddenGraceMs: 5 * 60_000,
  pauseOnMetered: true,
  pauseOnLowBattery: true,
  iceServers: [],
  relayOnly: false,
  updatedAt: 0,
});

/** 300 MB or a tenth of what the browser grants this site, whichever is smaller. */
export function defaultQuota(browserQuota: number | undefined): number {
  if (!browserQuota || !Number.isFinite(browserQuota)) return DEFAULT_SETTINGS.storageQuota;
  return Math.min(DEFAULT_SETTINGS.storageQuota, Math.floor(browserQuota / 10));
}

/**
 * The cache quota in force: the visitor's own choice, or, while it is the default, the
 * default scaled down to what the browser grants (`defaultQuota`).
 */
export function effectiveQuota(settings: ResourceSettings, browserQuota: number | undefined): number {
  return settings.storageQuota === DEFAULT_SETTINGS.storageQuota ? defaultQuota(browserQuota) : settings.storageQuota;
}

/** An ICE server entry RTCPeerConnection will take: known schemes, text credentials. */
function isIceServer(entry: unknown): boolean {
  if (!entry || typeof entry !== 'object') return false;
  const { urls, username, credential } = entry as Record<string, unknown>;
  const list = Array.isArray(urls) ? urls : [urls];
  if (!list.length || list.length > 8 || !list.every((u) => typeof u === 'string' && u.length <= 512 && /^(stuns?|turns?):/i.test(u))) return false;
  return [username, credential].every((v) => v === undefined || (typeof v === 'string' && v.length <= 512));
}

/**
 * Checks settings from storage or a form; fills gaps with defaults.
 * @throws {RangeError} naming the field, when a value is out of range.
 */
export function normaliseSettings(input: Partial<ResourceSettings> | undefined): ResourceSettings {
  const s = { ...DEFAULT_SETTINGS, ...(input ?? {}) } as ResourceSettings;
  const rate = (name: 'uploadLimit' | 'downloadLimit') => {
    if (!Number.isFinite(s[name]) || (s[name] < 0 && s[name] !== -1)) throw new RangeError(`"${name}" expected bytes per second or -1 for no cap, got ${s[name]}`);
  };
  rate('uploadLimit');
  rate('downloadLimit');
  if (!Number.isInteger(s.maxConnections) || s.maxConnections < 1 || s.maxConnections > 100) throw new RangeError(`"maxConnections" expected 1 to 100, got ${s.maxConnections}`);
  if (!Number.isInteger(s.maxSeededSites) || s.maxSeededSites < 0 || s.maxSeededSites > 50) throw new RangeError(`"maxSeededSites" expected 0 to 50, got ${s.maxSeededSites}`);
  if (!Number.isFinite(s.storageQuota) || s.storageQuota < 1_000_000) throw new RangeError(`"storageQuota" expected at least 1 MB, got ${s.storageQuota}`);
  if (typeof s.paused !== 'boolean' || typeof s.relayOnly !== 'boolean') throw new RangeError('"paused" and "relayOnly" expected true or false');
  if (!Array.isArray(s.iceServers) || s.iceServers.length > 16 || !s.iceServers.every(isIceServer)) throw new RangeError('"iceServers" expected at most 16 ICE servers, each { urls: a stun:, stuns:, turn: or turns: URL or a list of them, username and credential as text }');
  if (!['share', 'download-only', 'origin-only'].includes(s.sharing)) throw new RangeError(`"sharing" expected share, download-only or origin-only, got ${String(s.sharing)}`);
  return s;
}

type IceServer = ResourceSettings['iceServers'][number];

const isTurn = (server: IceServer) => (Array.isArray(server.urls) ? server.urls : [server.urls]).some((u) => /^turns?:/i.test(u));

/**
 * WebRTC configuration from the privacy settings and the operator's servers (`/api/ice`,
 * see operator-ice.ts). The visitor's own ICE servers replace the operator's; with "relay
 * only" and no TURN server of the visitor's, the operator's TURN servers are added, since
 * relay-only without a relay connects to no one.
 */
export function rtcConfiguration(settings: ResourceSettings, operator: readonly IceServer[] = []): RTCConfiguration {
  const own = settings.iceServers;
  const iceServers = !own.length ? [...operator] : settings.relayOnly && !own.some(isTurn) ? [...own, ...operator.filter(isTurn)] : [...own];
  return { iceServers, iceTransportPolicy: settings.relayOnly ? 'relay' : 'all' };
}

/** One engine's share of a cap split evenly among the engines active now. */
export function shareOfCap(cap: number, activeEngines: number): number {
  if (cap < 0) return -1;
  return Math.floor(cap / Math.max(1, activeEngines));
}

/** What one engine applies to its swarm: whether it uploads, and its share of the visitor's caps. */
export interface SwarmLimits {
  upload: boolean;
  /** Bytes per second; -1 for no cap. */
  uploadLimit: number;
  downloadLimit: number;
  maxConns: number;
}

/**
 * The limits one engine applies under a decision, its caps split evenly among the
 * `activeEngines` running now (site pages and loaders, counted by their heartbeats).
 */
export function swarmLimits(settings: ResourceSettings, decision: SharingDecision, activeEngines: number): SwarmLimits {
  return {
    upload: decision.upload,
    uploadLimit: shareOfCap(settings.uploadLimit, activeEngines),
    downloadLimit: shareOfCap(settings.downloadLimit, activeEngines),
    maxConns: settings.maxConnections,
  };
}

/** What one engine does under the visitor's settings right now. */
export interface SharingPlan extends SwarmLimits {
  /** The governor's decision, with its reason when uploads are off (for the status view). */
  decision: SharingDecision;
  /** Open WebRTC connections: the decision's, unless peers are impossible here. */
  usePeers: boolean;
}

/**
 * The one rule every swarm user applies (site pages, the embed loader, the publisher's
 * tab): the governor decides from the settings and the page's conditions, and the caps
 * are split among the `activeEngines` counted by their heartbeats. `peersPossible` false
 * (no WebRTC, or relay-only without the visitor's TURN servers) keeps peers and uploads
 * off whatever the settings allow.
 */
export function sharingPlan(settings: ResourceSettings, conditions: Conditions, activeEngines: number, peersPossible = true): SharingPlan {
  const decision = decideSharing(settings, conditions);
  const usePeers = decision.usePeers && peersPossible;
  return { decision, usePeers, ...swarmLimits(settings, { ...decision, upload: usePeers && decision.upload }, activeEngines) };
}

/** What an engine may do right now. */
export interface SharingDecision {
  /** Open WebRTC connections at all. */
  usePeers: boolean;
  /** Upload to peers. */
  upload: boolean;
  /** Why uploads are off, for the status view. */
  reason?: 'download-only' | 'origin-only' | 'stopped' | 'hidden' | 'metered' | 'battery' | 'too-many-sites';
}

export interface Conditions {
  /** Milliseconds every page of this site has been hidden, 0 when one is visible. */
  hiddenForMs: number;
  /** From the Network Information API where available. */
  metered?: boolean;
  /** From the Battery Status API where available. */
  battery?: { charging: boolean; level: number };
  /** This site's rank among seeded sites by recent use (0 = most recent). */
  seedRank: number;
}

export function decideSharing(settings: ResourceSettings, c: Conditions): SharingDecision {
  if (settings.sharing === 'origin-only') return { usePeers: false, upload: false, reason: 'origin-only' };
  if (settings.sharing === 'download-only') return { usePeers: true, upload: false, reason: 'download-only' };
  if (settings.paused) return { usePeers: true, upload: false, reason: 'stopped' };
  if (c.hiddenForMs >= settings.hiddenGraceMs) return { usePeers: true, upload: false, reason: 'hidden' };
  if (settings.pauseOnMetered && c.metered) return { usePeers: true, upload: false, reason: 'metered' };
  if (settings.pauseOnLowBattery && c.battery && !c.battery.charging && c.battery.level < 0.2) return { usePeers: true, upload: false, reason: 'battery' };
  if (c.seedRank >= settings.maxSeededSites) return { usePeers: true, upload: false, reason: 'too-many-sites' };
  return { usePeers: true, upload: true };
}

export interface CachedSite {
  address: string;
  bytes: number;
  lastVisit: number;
  pinned: boolean;
}

/**
 * Least-recently-used eviction: which unpinned sites to drop so the rest fits the
 * quota. Sites being viewed (`protect`) and pinned sites are never evicted, even if
 * they alone exceed the quota.
 */
export function planEviction(sites: readonly CachedSite[], quota: number, protect: string | readonly string[] = []): string[] {
  const kept = new Set(typeof protect === 'string' ? [protect] : protect);
  let used = sites.reduce((n, s) => n + s.bytes, 0);
  const evict: string[] = [];
  const candidates = sites.filter((s) => !s.pinned && !kept.has(s.address) && s.bytes > 0).sort((a, b) => a.lastVisit - b.lastVisit);
  for (const site of candidates) {
    if (used <= quota) break;
    evict.push(site.address);
    used -= site.bytes;
  }
  return evict;
}
