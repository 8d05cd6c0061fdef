import { addressOfHost, appOriginOf } from '../core/origins.js';
import { readRecord, summaryOf, baselineOf } from './site-summary.js';
import { applySiteAction } from './site-actions.js';
import { SiteActionError } from './errors.js';
import { parseManageCommand, SITE_ACTIONS_CHANNEL, type ManageDoneMessage, type ManageReadyMessage, type SiteActionsMessage } from './frame-messages.js';
import { sentBy } from './frame-origins.js';

/**
 * `/__p2p/manage.html` on a site's origin: pins, unpins or removes the site from this
 * origin's cache. A page of the site's origin can reach the cache, which an app-origin
 * page cannot. The app opens it as a hidden frame (site origins under the app's domain,
 * see site-frame.ts) or, where that frame would get no storage, as a small window. It
 * acts only on a command posted by that frame parent or window opener from the app's
 * origin, then reports back (and a window closes itself).
 */
const address = addressOfHost(location.hostname);
const appOrigin = appOriginOf(location);
const status = document.getElementById('status')!;

/**
 * Evicts only while no page of this site runs its engine: the runtime holds this Web
 * Lock for the page's life (runtime-main.ts), and taking it here for the whole eviction
 * keeps a page from starting halfway. Timers in background tabs slow down, so the app's
 * "open now" can lag; the lock cannot.
 */
async function evict(site: string): Promise<void> {
  if (!navigator.locks) return applySiteAction(site, 'evict');
  await navigator.locks.request(`p2p-engine:${site}`, { ifAvailable: true }, async (lock) => {
    if (!lock) throw new SiteActionError('E_OPEN', 'the site is open in a tab');
    await applySiteAction(site, 'evict');
  });
}
const framed = window.parent !== window;
// ancestorOrigins where the browser has it (Chromium, Safari); postMessage's targetOrigin
// below keeps commands from any other parent out anyway.
const parentIsApp = framed && (location.ancestorOrigins?.[0] ?? appOrigin) === appOrigin;
const commander: Window | null = framed ? (parentIsApp ? window.parent : null) : (window.opener as Window | null);

/** Asks the browser to keep this origin's storage under pressure (pinned sites). */
async function persistStorage(): Promise<void> {
  try {
    if (!navigator.storage?.persist || (await navigator.storage.persisted?.())) return;
    if (!(await navigator.storage.persist())) console.info('[p2p] the browser did not grant persistent storage; the site is still never evicted by this app');
  } catch (err) {
    console.info('[p2p] could not ask for persistent storage', err); // The pin itself holds.
  }
}

if (!address || !commander) {
  status.textContent = 'Open this page from the app’s “My sites” list.';
} else {
  window.addEventListener('message', async (event: MessageEvent<unknown>) => {
    const command = sentBy(event, appOrigin, commander) ? parseManageCommand(event.data) : undefined;
    if (!command) return;
    const action = command.action;
    let ok = true;
    let reason: string | undefined;
    try {
      if (action === 'evict') await evict(address);
      else await applySiteAction(address, action);
      if (action === 'pin') await persistStorage();
      if (action !== 'measure') {
        const channel = new BroadcastChannel(SITE_ACTIONS_CHANNEL);
        channel.postMessage({ action: action === 'evict' ? 'remove' : action } satisfies SiteActionsMessage);
        channel.close();
      }
    } catch (err) {
      ok = false;
      reason = err instanceof SiteActionError ? err.code : 'E_STORAGE';
      if (reason === 'E_STORAGE') console.warn('[p2p] could not change the cache', err);
    }
    const usage = (await navigator.storage?.estimate?.().catch(() => undefined))?.usage;
    const record = await readRecord(address).catch(() => undefined);
    const summary = record?.current ? { ...summaryOf(address, record, baselineOf(record), { peers: 0, seeding: false, downloaded: 0, uploaded: 0 }, '', undefined), open: false } : undefined;
    commander.postMessage({ type: 'p2p-manage-done', address, action, ok, reason, summary, usage } satisfies ManageDoneMessage, appOrigin);
    status.textContent = ok ? 'Done.' : 'The browser refused to change the cache.';
    if (!framed) window.close();
  });
  commander.postMessage({ type: 'p2p-manage-ready', address } satisfies ManageReadyMessage, appOrigin);
}
