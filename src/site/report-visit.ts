import type { SiteEngine } from './engine.js';
import { getSite } from '../store/site-cache.js';
import { baselineOf, summaryOf, type Baseline } from '../bridge/site-summary.js';
import { parseSiteActionsMessage, SITE_ACTIONS_CHANNEL, VISIT_CHECK_MS, VISIT_REPORT_MS, type VisitSummary } from '../bridge/frame-messages.js';
import type { HubClient } from '../bridge/hub-client.js';

/**
 * The site side of "sites I visited": sends the page's hub (hub-client.ts) a summary of
 * this site (version, size, pinned, totals, peers now) every few seconds while the page
 * is open, when the app asks, and once more when the page goes away. Only numbers and
 * the page title leave the page; the hub relays them to the app's tabs. Failures never
 * touch the site: they are logged as warnings.
 *
 * Call once per page, after creating the engine: `reportVisits(address, engine, hub)`.
 * Returns a stop function (also called on `pagehide`); the hub stays the caller's.
 */
export function reportVisits(address: string, engine: SiteEngine, hub: HubClient): () => void {
  const session = Math.random().toString(36).slice(2, 12);
  let baseline: Baseline | undefined;
  const baselineRead = getSite(address).then(
    (record) => (baseline = baselineOf(record)),
    () => (baseline = { downloaded: 0, uploaded: 0 }),
  );
  let stopped = false;

  let lastSent = 0;
  let lastFacts = '';
  /** What the app would see change; checked every couple of seconds without touching storage. */
  const facts = () => {
    const s = engine.liveStats;
    return [s?.peers, s?.fromPeers, s?.fromOrigin, s?.uploaded, engine.seeding, engine.state.phase, engine.state.manifest?.seq, engine.state.pending?.seq].join(':');
  };
  const send = async (open = true) => {
    // Only to a hub that runs: a summary made now is fresher than one queued for later.
    if (!hub.ready) return;
    lastSent = Date.now();
    lastFacts = facts();
    try {
      await baselineRead;
      const stats = engine.liveStats;
      const summary: VisitSummary = {
        ...summaryOf(address, await getSite(address), baseline!, { peers: stats?.peers ?? 0, seeding: open && engine.seeding, downloaded: (stats?.fromPeers ?? 0) + (stats?.fromOrigin ?? 0), uploaded: stats?.uploaded ?? 0 }, session, document.title),
        open,
      };
      hub.send({ type: 'visit', summary });
    } catch (err) {
      console.warn('[p2p] could not report this visit to the app', err);
    }
  };
  // The first report as soon as the hub runs, then whenever the app asks.
  const stopListening = hub.onMessage((m) => {
    if (m.type === 'ready' || m.type === 'visit-query') void send();
  });
  // Report when something changed (the app's live rates follow transfers closely), and
  // otherwise only now and then: every report wakes the app's frames and storage.
  const timer = setInterval(() => {
    if (facts() !== lastFacts || Date.now() - lastSent >= VISIT_REPORT_MS) void send();
  }, VISIT_CHECK_MS);
  // The manage page (a window on this origin) pinned or removed the site: report at once;
  // after a removal this page stops sharing the site, whose files are gone.
  const actions = new BroadcastChannel(SITE_ACTIONS_CHANNEL);
  actions.onmessage = (event: MessageEvent<unknown>) => {
    const m = parseSiteActionsMessage(event.data);
    if (!m) return;
    if (m.action === 'remove') void engine.destroy().then(() => send(false));
    else void send();
  };

  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    stopListening();
    actions.close();
    void send(false);
  };
  window.addEventListener('pagehide', stop, { once: true });
  return stop;
}
