import { appOriginOf } from '../settings/messages.js';
import type { SiteEngine } from '../site/engine.js';
import { getSite } from '../store/site-cache.js';
import { baselineOf, summaryOf, type Baseline } from './site-summary.js';
import { SITE_ACTIONS_CHANNEL } from './site-actions.js';
import { VISIT_CHECK_MS, VISIT_REPORT_MS, type VisitQueryMessage, type VisitReportMessage, type VisitSummary } from './visit-messages.js';

/**
 * The site side of "sites I visited": embeds the app's hidden visits frame and posts it a
 * summary of this site (version, size, pinned, totals, peers now) every few seconds
 * while the page is open, when the app asks, and once more when the page goes away.
 * Only numbers and the page title leave the page; the frame relays them to the app's
 * tabs. Failures never touch the site: they are logged as warnings.
 *
 * Call once per page, after creating the engine: `reportVisits(address, engine)`.
 * Returns a stop function (also called on `pagehide`).
 */
export function reportVisits(address: string, engine: SiteEngine): () => void {
  const appOrigin = appOriginOf(location);
  const session = Math.random().toString(36).slice(2, 12);
  let baseline: Baseline | undefined;
  const baselineRead = getSite(address).then(
    (record) => (baseline = baselineOf(record)),
    () => (baseline = { downloaded: 0, uploaded: 0 }),
  );
  const frame = document.createElement('iframe');
  frame.src = `${appOrigin}/__p2p/visits.html`;
  frame.hidden = true;
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  let loaded = false;
  let stopped = false;

  let lastSent = 0;
  let lastFacts = '';
  /** What the app would see change; checked every couple of seconds without touching storage. */
  const facts = () => {
    const s = engine.liveStats;
    return [s?.peers, s?.fromPeers, s?.fromOrigin, s?.uploaded, engine.seeding, engine.state.phase, engine.state.manifest?.seq, engine.state.pending?.seq].join(':');
  };
  const send = async (open = true) => {
    if (!loaded) return;
    lastSent = Date.now();
    lastFacts = facts();
    try {
      await baselineRead;
      const stats = engine.liveStats;
      const summary: VisitSummary = {
        ...summaryOf(address, await getSite(address), baseline!, { peers: stats?.peers ?? 0, seeding: open && engine.seeding, downloaded: (stats?.fromPeers ?? 0) + (stats?.fromOrigin ?? 0), uploaded: stats?.uploaded ?? 0 }, session, document.title),
        open,
      };
      frame.contentWindow?.postMessage({ type: 'p2p-visit', summary } satisfies VisitReportMessage, appOrigin);
    } catch (err) {
      console.warn('[p2p] could not report this visit to the app', err);
    }
  };
  frame.addEventListener('load', () => {
    loaded = true;
    void send();
  });
  const onMessage = (event: MessageEvent<VisitQueryMessage>) => {
    if (event.origin === appOrigin && event.source === frame.contentWindow && event.data?.type === 'p2p-visit-query') void send();
  };
  window.addEventListener('message', onMessage);
  // Report when something changed (the app's live rates follow transfers closely), and
  // otherwise only now and then: every report wakes the app's frames and storage.
  const timer = setInterval(() => {
    if (facts() !== lastFacts || Date.now() - lastSent >= VISIT_REPORT_MS) void send();
  }, VISIT_CHECK_MS);
  // The manage page (a window on this origin) pinned or removed the site: report at once;
  // after a removal this page stops sharing the site, whose files are gone.
  const actions = new BroadcastChannel(SITE_ACTIONS_CHANNEL);
  actions.onmessage = (event: MessageEvent<{ action?: string }>) => {
    if (event.data?.action === 'remove') void engine.destroy().then(() => send(false));
    else void send();
  };
  document.documentElement.append(frame);

  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    window.removeEventListener('message', onMessage);
    actions.close();
    // The frame is kept until the last summary is posted.
    void send(false).finally(() => frame.remove());
  };
  window.addEventListener('pagehide', stop, { once: true });
  return stop;
}
