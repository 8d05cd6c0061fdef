import { keepSummary } from './visits-store.js';
import { enforceQuotaExclusive } from './cache-quota.js';
import { parseVisitsChannelMessage, VISITS_CHANNEL, type HubMessage, type VisitsChannelMessage, type VisitSummary } from './frame-messages.js';

/**
 * The hub's visits side, for a site page only. Keeps the page's summaries of its own
 * site (checked by the hub: frame-messages.ts, `parsePageMessage`) in the app's record of
 * visited sites, so "My sites" knows them even when the app was closed; relays them to
 * the app's open tabs on VISITS_CHANNEL, and the app's "report now" to the page. When
 * the site's cached size changes, it applies the cache quota across sites
 * (cache-quota.ts). Where the browser denies the hub storage, it only relays, and the
 * app keeps what it hears while open.
 */
export function relayVisits(address: string, post: (message: HubMessage) => void): { visit(summary: VisitSummary): void } {
  const channel = new BroadcastChannel(VISITS_CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    if (parseVisitsChannelMessage(event.data)?.type === 'query') post({ type: 'visit-query' });
  };

  let storage = true;
  let lastSize: number | undefined;
  const keep = async (summary: VisitSummary) => {
    if (!storage) return;
    try {
      await keepSummary(summary);
    } catch {
      storage = false; // No storage for this hub: the app keeps what it hears instead.
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

  return {
    visit(summary) {
      channel.postMessage({ type: 'visit', summary } satisfies VisitsChannelMessage);
      void keep(summary);
    },
  };
}
