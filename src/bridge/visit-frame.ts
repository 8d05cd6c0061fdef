import { isSiteOriginOf } from '../settings/messages.js';
import { keepSummary } from '../ui/visits-store.js';
import { enforceQuotaExclusive } from './cache-quota.js';
import { parseVisitSummary, VISITS_CHANNEL, type VisitChannelMessage, type VisitQueryMessage, type VisitReportMessage, type VisitSummary } from './visit-messages.js';

/**
 * Runs in the hidden app-origin frame (`/__p2p/visits.html`) that each site page embeds.
 * Keeps the page's summaries of its own site in the app's record of visited sites (so
 * "My sites" knows them even when the app was closed), relays them to the app's open
 * tabs, and relays the app's "report now" to the page. When the site's cached size
 * changes, it applies the cache quota across sites (cache-quota.ts).
 *
 * It talks only to a parent that is a site origin under this app, and keeps only
 * summaries about that parent's address, so one site cannot speak for another. Where the
 * browser denies this frame storage (site origins outside the app's domain), it only
 * relays, and the app keeps what it hears while open.
 */
// ancestorOrigins where the browser has it (Chromium, Safari); the referrer elsewhere.
const parentOrigin = location.ancestorOrigins?.[0] ?? (document.referrer ? new URL(document.referrer).origin : '');
const address = isSiteOriginOf(parentOrigin, location);

if (address && window.parent !== window) {
  const channel = new BroadcastChannel(VISITS_CHANNEL);
  channel.onmessage = (event: MessageEvent<VisitChannelMessage>) => {
    if (event.data?.type === 'query') window.parent.postMessage({ type: 'p2p-visit-query' } satisfies VisitQueryMessage, parentOrigin);
  };

  let storage = true;
  let lastSize: number | undefined;
  const keep = async (summary: VisitSummary) => {
    if (!storage) return;
    try {
      await keepSummary(summary);
    } catch {
      storage = false; // No storage for this frame: the app keeps what it hears instead.
      return;
    }
    if (summary.seq === undefined || summary.size === lastSize) return;
    lastSize = summary.size;
    enforce();
  };
  let running = false;
  let rerun = false;
  // One pass at a time, and at most one more queued behind it however often sizes change.
  const enforce = () => {
    if (running) {
      rerun = true;
      return;
    }
    running = true;
    void enforceQuotaExclusive(address)
      .catch((err: unknown) => console.warn('[p2p] could not apply the cache quota', err))
      .finally(() => {
        running = false;
        if (rerun) {
          rerun = false;
          enforce();
        }
      });
  };

  window.addEventListener('message', (event: MessageEvent<VisitReportMessage>) => {
    if (event.origin !== parentOrigin || event.source !== window.parent || event.data?.type !== 'p2p-visit') return;
    const summary = parseVisitSummary(event.data.summary, address);
    if (!summary) return;
    channel.postMessage({ type: 'visit', summary } satisfies VisitChannelMessage);
    void keep(summary);
  });
}
