/**
 * Messages that tell the app about sites visited in this browser, and let it act on them.
 *
 * A site's cache lives on the site's own origin, and browsers deny storage to cross-site
 * frames in both directions, so neither side can read the other's IndexedDB. Instead:
 * - each site page embeds a hidden app-origin frame (`/__p2p/visits.html`); the page
 *   posts a summary of its site to it, the frame checks that the summary is about the
 *   page's own address and relays it on an app-origin BroadcastChannel, which the app's
 *   tabs hear (and keep, on the app's origin);
 * - to pin or remove a site, the app opens the site origin's `/__p2p/manage.html` as a
 *   small window (a first-party page there, so it can reach the cache); that page acts
 *   only on a command posted by its opener from the app's origin.
 */

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

/** On VISITS_CHANNEL (app origin). */
export type VisitChannelMessage = { type: 'visit'; summary: VisitSummary } | { type: 'query' };
/** Site page -> its visits frame. */
export interface VisitReportMessage {
  type: 'p2p-visit';
  summary: VisitSummary;
}
/** Visits frame -> site page: the app asks for a summary now. */
export interface VisitQueryMessage {
  type: 'p2p-visit-query';
}

/**
 * `evict` is `remove` for the cache quota: refused while the site is pinned or open in a
 * tab. `measure` changes nothing and answers how much the site's origin stores.
 */
export type SiteAction = 'pin' | 'unpin' | 'remove' | 'evict' | 'measure';
/** Manage page -> opener (app): ready for a command. */
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
  /** Bytes the site's origin stores, as the browser counts them (its files, pieces, our own files). */
  usage?: number;
}

export const VISITS_CHANNEL = 'p2p-visits';
/** How often an open site page looks for something new to report (cheap: no storage read). */
export const VISIT_CHECK_MS = 2000;
/** An open site page reports at least this often, also when nothing changed. */
export const VISIT_REPORT_MS = 15_000;
/** A site not heard from for this long is no longer "open now". */
export const VISIT_OPEN_EXPIRY_MS = 40_000;

const ADDRESS = /^[a-z2-7]{52}$/;
const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined);

/**
 * A summary made safe to keep and show, or undefined when it is not one or is about
 * another address than `expected` (a page may only report its own site).
 */
export function parseVisitSummary(data: unknown, expected?: string): VisitSummary | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const s = data as Record<string, unknown>;
  if (typeof s.address !== 'string' || !ADDRESS.test(s.address) || (expected !== undefined && s.address !== expected)) return undefined;
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

/** The site's origin for an app location: `<address>.<app host>`, same scheme and port. */
export function siteOriginFor(address: string, app: { protocol: string; host: string }): string {
  return `${app.protocol}//${address}.${app.host}`;
}
