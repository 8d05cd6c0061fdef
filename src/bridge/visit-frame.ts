import { isSiteOriginOf } from '../settings/messages.js';
import { parseVisitSummary, VISITS_CHANNEL, type VisitChannelMessage, type VisitQueryMessage, type VisitReportMessage } from './visit-messages.js';

/**
 * Runs in the hidden app-origin frame (`/__p2p/visits.html`) that each site page embeds.
 * Relays the page's summaries of its own site to the app's tabs, and the app's "report
 * now" to the page. It talks only to a parent that is a site origin under this app, and
 * relays only summaries about that parent's address, so one site cannot speak for another.
 */
// ancestorOrigins where the browser has it (Chromium, Safari); the referrer elsewhere.
const parentOrigin = location.ancestorOrigins?.[0] ?? (document.referrer ? new URL(document.referrer).origin : '');
const address = isSiteOriginOf(parentOrigin, location);

if (address && window.parent !== window) {
  const channel = new BroadcastChannel(VISITS_CHANNEL);
  channel.onmessage = (event: MessageEvent<VisitChannelMessage>) => {
    if (event.data?.type === 'query') window.parent.postMessage({ type: 'p2p-visit-query' } satisfies VisitQueryMessage, parentOrigin);
  };
  window.addEventListener('message', (event: MessageEvent<VisitReportMessage>) => {
    if (event.origin !== parentOrigin || event.source !== window.parent || event.data?.type !== 'p2p-visit') return;
    const summary = parseVisitSummary(event.data.summary, address);
    if (summary) channel.postMessage({ type: 'visit', summary } satisfies VisitChannelMessage);
  });
}
