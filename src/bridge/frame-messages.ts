import { APP_PAGES } from '../core/app-pages.js';
import { isAddress } from '../core/keys.js';
import { normaliseSettings, type ResourceSettings } from '../swarm/governor.js';

/**
 * Every message that crosses an origin, or an app-origin channel that carries what a
 * site page said, in one place (docs/PROTOCOL.md, "Messages between origins"). Each
 * incoming message is hostile until one of the `parse…` functions below has checked it:
 * they return a fresh, well-typed copy, or undefined for anything else, and never throw.
 * Who may send each message is checked in frame-origins.ts.
 */

/** The app-origin frame a site page (and its boot page) embeds: the hub. */
export const HUB_PATH = `/__p2p/${APP_PAGES.settings}`;
/** The same hub, under the name the embed loader's host pages load it by. */
export const LOADER_HUB_PATH = `/__p2p/${APP_PAGES['loader-frame']}`;
/** The site-origin page an app page frames (or opens) to act on that site's cache. */
export const MANAGE_PATH = `/__p2p/${APP_PAGES.manage}`;

/** App-origin BroadcastChannels. */
export const SETTINGS_CHANNEL = 'p2p-settings';
export const ENGINES_CHANNEL = 'p2p-engines';
export const VISITS_CHANNEL = 'p2p-visits';
/** Site-origin BroadcastChannel: the manage page acted, open pages of the site react. */
export const SITE_ACTIONS_CHANNEL = 'p2p-site-actions';

/**
 * An engine says it is alive this often while nothing changes (a change is sent at
 * once). Long on purpose: every beat wakes every open site's hub, which is most of an
 * idle page's CPU at short intervals.
 */
export const HEARTBEAT_MS = 15_000;
/** An engine that has not sent a heartbeat for this long is no longer counted. */
export const ENGINE_EXPIRY_MS = 40_000;
/** How often an open site page looks for something new to report (cheap: no storage read). */
export const VISIT_CHECK_MS = 2000;
/** An open site page reports at least this often, also when nothing changed. */
export const VISIT_REPORT_MS = 15_000;
/** A site not heard from for this long is no longer "open now". */
export const VISIT_OPEN_EXPIRY_MS = 40_000;

// ---- Page <-> hub -------------------------------------------------------------------

/** Page -> hub, by `postMessage` to the frame's window, carrying the page's end of a MessageChannel. */
export interface HubHello {
  type: 'p2p-hub-hello';
  v: 1;
}

/** Page -> hub, on the port. The hub names the engine (its site, or `loader:<origin>`), never the page. */
export type PageMessage =
  /** This page's engine is alive; sent on a change and every HEARTBEAT_MS. `gone`: the page is closing. */
  | { type: 'heartbeat'; seeding: boolean; since: number; gone: boolean }
  /** A site page's summary of its own site (hub parties of kind `site` only). */
  | { type: 'visit'; summary: VisitSummary };

/** Hub -> page, on the port. */
export type HubMessage =
  /** Sent at once on the hello: the hub runs, its answer follows (known-choice.ts). */
  | { type: 'ready' }
  /** The newest settings the app holds; `fromStorage`: read from the app's storage, which wins over any copy. */
  | { type: 'settings'; settings: ResourceSettings; fromStorage: boolean }
  /** The app's storage holds no saved settings: the defaults apply. */
  | { type: 'settings-none' }
  /** The hub cannot read the app's storage: the page falls back to its own copy. */
  | { type: 'settings-unavailable' }
  /** Engines seeding in this browser now, and this page's place among them. */
  | { type: 'engines'; active: number; rank: number }
  /** The app asks for a visit summary now (site parties only). */
  | { type: 'visit-query' };

// ---- App-origin channels -------------------------------------------------------------

/** On SETTINGS_CHANNEL: settings an app-origin page holds, or a request for them. */
export type SettingsChannelMessage = { type: 'settings'; settings: ResourceSettings } | { type: 'query' };
/** On ENGINES_CHANNEL: one engine's heartbeat, as a hub relays it. */
export interface EngineBeat {
  type: 'p2p-heartbeat';
  /** The hub's name for the engine: its site's address, or `loader:<host origin>`. */
  address: string;
  seeding: boolean;
  since: number;
  gone: boolean;
}
/** On VISITS_CHANNEL: a summary a hub relays, or the app asking every open page to report. */
export type VisitsChannelMessage = { type: 'visit'; summary: VisitSummary } | { type: 'query' };

// ---- App <-> a site's manage page ----------------------------------------------------

/**
 * `evict` is `remove` for the cache quota: refused while the site is pinned or open in a
 * tab. `measure` changes nothing and answers how much the site's origin stores.
 */
export type SiteAction = 'pin' | 'unpin' | 'remove' | 'evict' | 'measure';
const SITE_ACTIONS: readonly SiteAction[] = ['pin', 'unpin', 'remove', 'evict', 'measure'];

/** Manage page -> app: ready for a command. */
export interface ManageReadyMessage {
  type: 'p2p-manage-ready';
  address: string;
}
/** App -> manage page. */
export interface ManageCommandMessage {
  type: 'p2p-manage';
  action: SiteAction;
}
/** Manage page -> app: done, with the site's summary afterwards (none once removed). */
export interface ManageDoneMessage {
  type: 'p2p-manage-done';
  address: string;
  action: SiteAction;
  ok: boolean;
  /** Why not, when `ok` is false: E_OPEN, E_PINNED, or E_STORAGE (the browser refused). */
  reason?: string;
  summary?: VisitSummary;
  /** Bytes the site's origin stores, as the browser counts them. */
  usage?: number;
}
/** On SITE_ACTIONS_CHANNEL (site origin). */
export interface SiteActionsMessage {
  action: 'pin' | 'unpin' | 'remove';
}

// ---- Field checks ---------------------------------------------------------------------

/** What a site page tells the app about its site. */
export interface VisitSummary {
  address: string;
  /** The version served, when one is. */
  seq?: number;
  /** The page's title, as the site set it (display only, never trusted as markup). */
  title?: string;
  /** Bytes of the served version's files (what the cache holds for it). */
  size: number;
  pinned: boolean;
  lastVisit: number;
  /** Counted over all visits: from peers and the origin, and uploaded to peers. */
  downloaded: number;
  uploaded: number;
  /** This page now: peers connected, whether it shares the site. */
  peers: number;
  seeding: boolean;
  /** An id for this page's session, so the app can tell rates from repeated totals. */
  session: string;
  /** When the summary was made (ms); false `open` when the page is going away. */
  at: number;
  open: boolean;
}

type Fields = Record<string, unknown>;
const record = (data: unknown): Fields | undefined => (data && typeof data === 'object' && !Array.isArray(data) ? (data as Fields) : undefined);
const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined);
const isAction = (v: unknown): v is SiteAction => SITE_ACTIONS.includes(v as SiteAction);

/** Clocks differ a little between processes; settings dated further ahead are refused. */
const MAX_CLOCK_SKEW_MS = 60_000;

/**
 * Settings fit to apply, or undefined: complete and in range, and not dated in the
 * future (a copy dated far ahead would otherwise win over every later change).
 */
export function acceptableSettings(input: unknown, now = Date.now()): ResourceSettings | undefined {
  if (!record(input)) return undefined;
  let settings: ResourceSettings;
  try {
    settings = normaliseSettings(input as Partial<ResourceSettings>);
  } catch {
    return undefined;
  }
  if (!Number.isFinite(settings.updatedAt) || settings.updatedAt < 0 || settings.updatedAt > now + MAX_CLOCK_SKEW_MS) return undefined;
  return settings;
}

/** What a loader may see of the settings: any page may embed the hub, so never the ICE servers (TURN credentials) or the storage settings. */
export type LoaderSettings = Pick<ResourceSettings, 'sharing' | 'paused' | 'uploadLimit' | 'downloadLimit' | 'maxConnections' | 'maxSeededSites' | 'relayOnly' | 'updatedAt'>;
export const LOADER_SETTING_KEYS = ['sharing', 'paused', 'uploadLimit', 'downloadLimit', 'maxConnections', 'maxSeededSites', 'relayOnly', 'updatedAt'] as const;

/** The part of the settings a loader may see. */
export function loaderPart(settings: Partial<ResourceSettings>): LoaderSettings {
  const out: Fields = {};
  for (const key of LOADER_SETTING_KEYS) if (key in settings) out[key] = settings[key];
  return out as LoaderSettings;
}

/**
 * A summary made safe to keep and show, or undefined when it is not one or is about
 * another address than `expected` (a page may only report its own site).
 */
export function parseVisitSummary(data: unknown, expected?: string): VisitSummary | undefined {
  const s = record(data);
  if (!s || !isAddress(s.address) || (expected !== undefined && s.address !== expected)) return undefined;
  const size = count(s.size);
  const lastVisit = count(s.lastVisit);
  const at = count(s.at);
  if (size === undefined || lastVisit === undefined || at === undefined) return undefined;
  return {
    address: s.address,
    seq: count(s.seq),
    title: typeof s.title === 'string' ? s.title.replace(/\s+/g, ' ').trim().slice(0, 120) || undefined : undefined,
    size,
    pinned: s.pinned === true,
    lastVisit,
    downloaded: count(s.downloaded) ?? 0,
    uploaded: count(s.uploaded) ?? 0,
    peers: Math.min(count(s.peers) ?? 0, 10_000),
    seeding: s.seeding === true,
    session: typeof s.session === 'string' ? s.session.slice(0, 40) : '',
    at,
    open: s.open !== false,
  };
}

// ---- Message checks -------------------------------------------------------------------

/** The hello and the port it carries, or undefined (not a hello, another version, no single port). */
export function parseHubHello(data: unknown, ports: readonly MessagePort[]): MessagePort | undefined {
  const m = record(data);
  return m?.type === 'p2p-hub-hello' && m.v === 1 && ports.length === 1 ? ports[0] : undefined;
}

/** What a page sent its hub, checked. `site`: the party's address, which a summary must be about; undefined for a host page, which sends none. */
export function parsePageMessage(data: unknown, site: string | undefined, now = Date.now()): PageMessage | undefined {
  const m = record(data);
  if (m?.type === 'heartbeat') {
    if (typeof m.seeding !== 'boolean' || typeof m.since !== 'number' || !Number.isFinite(m.since) || m.since < 0) return undefined;
    return { type: 'heartbeat', seeding: m.seeding, since: Math.min(m.since, now), gone: m.gone === true };
  }
  if (m?.type === 'visit' && site !== undefined) {
    const summary = parseVisitSummary(m.summary, site);
    return summary && { type: 'visit', summary };
  }
  return undefined;
}

/** What the hub sent a page, checked (settings complete, in range, not dated ahead). */
export function parseHubMessage(data: unknown, now = Date.now()): HubMessage | undefined {
  const m = record(data);
  switch (m?.type) {
    case 'ready':
    case 'settings-none':
    case 'settings-unavailable':
    case 'visit-query':
      return { type: m.type };
    case 'settings': {
      const settings = acceptableSettings(m.settings, now);
      return settings && { type: 'settings', settings, fromStorage: m.fromStorage === true };
    }
    case 'engines':
      if (!Number.isInteger(m.active) || !Number.isInteger(m.rank)) return undefined;
      return { type: 'engines', active: Math.max(1, m.active as number), rank: Math.max(0, m.rank as number) };
    default:
      return undefined;
  }
}

/** A message on SETTINGS_CHANNEL, checked (only app-origin pages can post there, but a hub relays what it heard). */
export function parseSettingsChannelMessage(data: unknown, now = Date.now()): SettingsChannelMessage | undefined {
  const m = record(data);
  if (m?.type === 'query') return { type: 'query' };
  const settings = m?.type === 'settings' ? acceptableSettings(m.settings, now) : undefined;
  return settings && { type: 'settings', settings };
}

/** A heartbeat on ENGINES_CHANNEL, checked. */
export function parseEngineBeat(data: unknown, now = Date.now()): EngineBeat | undefined {
  const m = record(data);
  if (m?.type !== 'p2p-heartbeat' || typeof m.address !== 'string' || m.address.length > 300) return undefined;
  const beat = parsePageMessage({ ...m, type: 'heartbeat' }, undefined, now);
  return beat?.type === 'heartbeat' ? { type: 'p2p-heartbeat', address: m.address, seeding: beat.seeding, since: beat.since, gone: beat.gone } : undefined;
}

/** A message on VISITS_CHANNEL, checked. */
export function parseVisitsChannelMessage(data: unknown): VisitsChannelMessage | undefined {
  const m = record(data);
  if (m?.type === 'query') return { type: 'query' };
  const summary = m?.type === 'visit' ? parseVisitSummary(m.summary) : undefined;
  return summary && { type: 'visit', summary };
}

/** A command to a manage page, checked. */
export function parseManageCommand(data: unknown): ManageCommandMessage | undefined {
  const m = record(data);
  return m?.type === 'p2p-manage' && isAction(m.action) ? { type: 'p2p-manage', action: m.action } : undefined;
}

/** A manage page's ready or done message about `address`, checked; a done message's summary is the site's own or dropped. */
export function parseManageReply(data: unknown, address: string): ManageReadyMessage | ManageDoneMessage | undefined {
  const m = record(data);
  if (m?.address !== address) return undefined;
  if (m.type === 'p2p-manage-ready') return { type: 'p2p-manage-ready', address };
  if (m.type !== 'p2p-manage-done' || !isAction(m.action) || typeof m.ok !== 'boolean') return undefined;
  return {
    type: 'p2p-manage-done',
    address,
    action: m.action,
    ok: m.ok,
    reason: typeof m.reason === 'string' ? m.reason.slice(0, 40) : undefined,
    summary: parseVisitSummary(m.summary, address),
    usage: count(m.usage),
  };
}

/** A message on SITE_ACTIONS_CHANNEL, checked. */
export function parseSiteActionsMessage(data: unknown): SiteActionsMessage | undefined {
  const action = record(data)?.action;
  return action === 'pin' || action === 'unpin' || action === 'remove' ? { action } : undefined;
}
