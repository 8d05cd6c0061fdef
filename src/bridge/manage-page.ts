import { appOriginOf } from '../settings/messages.js';
import { addressOfHost } from '../sw/messages.js';
import { readRecord, summaryOf, baselineOf } from './site-summary.js';
import { applySiteAction, SITE_ACTIONS_CHANNEL } from './site-actions.js';
import type { ManageCommandMessage, ManageDoneMessage, ManageReadyMessage, SiteAction } from './visit-messages.js';

/**
 * `/__p2p/manage.html` on a site's origin, opened by the app as a small window to pin or
 * remove the site. A first-party page here can reach the site's cache, which a frame
 * inside the app cannot (browsers deny storage to cross-site frames). It acts only on a
 * command its opener posts from the app's origin, then reports back and closes.
 */
const address = addressOfHost(location.hostname);
const appOrigin = appOriginOf(location);
const status = document.getElementById('status')!;
const ACTIONS: readonly SiteAction[] = ['pin', 'unpin', 'remove'];

if (!address || !window.opener) {
  status.textContent = 'Open this page from the app’s “My sites” list.';
} else {
  window.addEventListener('message', async (event: MessageEvent<ManageCommandMessage>) => {
    if (event.origin !== appOrigin || event.source !== window.opener || event.data?.type !== 'p2p-manage' || !ACTIONS.includes(event.data.action)) return;
    const action = event.data.action;
    let ok = true;
    try {
      await applySiteAction(address, action);
      const channel = new BroadcastChannel(SITE_ACTIONS_CHANNEL);
      channel.postMessage({ action });
      channel.close();
    } catch (err) {
      ok = false;
      console.warn('[p2p] could not change the cache', err);
    }
    const record = await readRecord(address).catch(() => undefined);
    const summary = record?.current ? { ...summaryOf(address, record, baselineOf(record), { peers: 0, seeding: false, downloaded: 0, uploaded: 0 }, '', undefined), open: false } : undefined;
    (window.opener as Window).postMessage({ type: 'p2p-manage-done', address, action, ok, summary } satisfies ManageDoneMessage, appOrigin);
    status.textContent = ok ? 'Done.' : 'The browser refused to change the cache.';
    window.close();
  });
  (window.opener as Window).postMessage({ type: 'p2p-manage-ready', address } satisfies ManageReadyMessage, appOrigin);
}
