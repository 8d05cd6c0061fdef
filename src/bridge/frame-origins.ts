import { isSiteOriginOf } from '../core/origins.js';

/**
 * Who may speak to whom across origins, in one place (docs/PROTOCOL.md, "Messages
 * between origins"). What each message may hold is checked in frame-messages.ts.
 *
 * - The hub (an app-origin frame) takes one hello from its parent window and learns from
 *   the hello's origin who that parent is: a site under this app, or any other page (an
 *   embed loader's host). Everything after the hello travels on the port it carried, so
 *   no other window can speak on it.
 * - A page hands that port only to a frame of the app's origin: the hello is posted with
 *   the app's origin as target, so a frame showing anything else (an error page) never
 *   gets it.
 * - A site's manage page takes commands only from an app-origin window that framed or
 *   opened it; the app page takes answers only from the site's origin and that window.
 */

/** Who the page that said hello to the hub is. */
export type HubParty =
  /** A page of a site under this app: gets every setting and may report visits of its own site. */
  | { kind: 'site'; origin: string; address: string }
  /** Any other page (the embed loader's host): gets only the loader's part of the settings. */
  | { kind: 'host'; origin: string };

/**
 * The party behind a hello's origin, for a hub at `app` (its own location), or undefined
 * when the origin cannot be a party: opaque (`null`, a sandboxed page) or the app itself.
 */
export function partyOf(origin: string, app: { protocol: string; host: string; origin: string }): HubParty | undefined {
  if (!origin || origin === 'null' || origin === app.origin) return undefined;
  const address = isSiteOriginOf(origin, app);
  return address ? { kind: 'site', origin, address } : { kind: 'host', origin };
}

/** The name under which the hub counts a party's engine: its site, or one per host origin whatever the page claims. */
export function engineName(party: HubParty): string {
  return party.kind === 'site' ? party.address : `loader:${party.origin}`;
}

/** True when a window message came from `source` and from `origin` (both: a window can navigate to another origin). */
export function sentBy(event: MessageEvent, origin: string, source: Window | null): boolean {
  return event.origin === origin && source !== null && event.source === source;
}

/** The site's origin for an app location: `<address>.<app host>`, same scheme and port. */
export function siteOriginFor(address: string, app: { protocol: string; host: string }): string {
  return `${app.protocol}//${address}.${app.host}`;
}
