import { relaySettings } from '../settings/settings-relay.js';
import { parseHubHello, parsePageMessage, type HubMessage } from './frame-messages.js';
import { partyOf } from './frame-origins.js';
import { relayVisits } from './visit-relay.js';

/**
 * The hub: the one hidden app-origin frame a page embeds (site pages, the boot page and
 * the embed loader's host pages; `/__p2p/settings.html`, also served as
 * `/__p2p/loader-frame.html`). It takes one hello from its parent, learns from its origin
 * who the parent is (frame-origins.ts), answers at once on the port the hello carried,
 * and from then on speaks only on that port: settings (settings-relay.ts), engine counts,
 * and for a site page its visit reports (visit-relay.ts). docs/PROTOCOL.md, "Messages
 * between origins", lists every message.
 */
let connected = false;

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (connected || window.parent === window || event.source !== window.parent) return;
  const port = parseHubHello(event.data, event.ports);
  const party = port && partyOf(event.origin, location);
  if (!port || !party) return;
  connected = true;
  const post = (message: HubMessage) => port.postMessage(message);
  // At once, before any storage read: the page can tell a slow answer from a hub that
  // failed (known-choice.ts).
  post({ type: 'ready' });
  const settings = relaySettings(party, post);
  const visits = party.kind === 'site' ? relayVisits(party.address, post) : undefined;
  port.onmessage = (message: MessageEvent<unknown>) => {
    const m = parsePageMessage(message.data, party.kind === 'site' ? party.address : undefined);
    if (m?.type === 'heartbeat') settings.beat(m);
    else if (m?.type === 'visit') visits?.visit(m.summary);
  };
});
