import { acceptableSettings, loaderPart, parseSettingsChannelMessage, SETTINGS_CHANNEL, type HubMessage, type PageMessage, type SettingsChannelMessage } from '../bridge/frame-messages.js';
import { engineName, type HubParty } from '../bridge/frame-origins.js';
import { normaliseSettings, type ResourceSettings } from '../swarm/governor.js';
import { EngineRoster } from './engine-roster.js';
import { loadSavedSettings } from './settings-store.js';

/**
 * The hub's settings side, started on the page's hello. Answers with the visitor's
 * settings from the app's storage (where the browser lets the hub use it: site origins
 * under the app's domain), relays newer settings from the app's tabs and the other hubs
 * on SETTINGS_CHANNEL, and counts the engines alive in this browser (heartbeats) so each
 * takes its share of the caps.
 *
 * Settings reach a page only from the app: its storage, or that channel, which only
 * app-origin pages can post to. A page's own copy is never relayed, so no site can push
 * settings onto the others. A host page (the embed loader) gets the loader's part only.
 */
export function relaySettings(party: HubParty, post: (message: HubMessage) => void): { beat(message: Extract<PageMessage, { type: 'heartbeat' }>): void } {
  let known: ResourceSettings | undefined;
  const newer = (s: ResourceSettings) => !known || s.updatedAt > known.updatedAt;
  // For a host, the loader's part and the defaults for the rest: never the ICE servers or the cache settings.
  const send = (settings: ResourceSettings, fromStorage = false) =>
    post({ type: 'settings', settings: party.kind === 'site' ? settings : normaliseSettings(loaderPart(settings)), fromStorage });

  const channel = new BroadcastChannel(SETTINGS_CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const m = parseSettingsChannelMessage(event.data);
    if (m?.type === 'settings' && newer(m.settings)) {
      known = m.settings;
      send(known);
    } else if (m?.type === 'query' && known) {
      channel.postMessage({ type: 'settings', settings: known } satisfies SettingsChannelMessage);
    }
  };

  // A host page's hub may be a third-party context whose storage the browser partitions
  // or blocks; it says so here, and reading anyway only fails. A partitioned storage holds
  // nothing: "nothing saved", which is an answer (the defaults).
  const access = party.kind === 'host' ? (document.hasStorageAccess?.() ?? Promise.resolve(true)) : Promise.resolve(true);
  // Always an answer: the page opens no peer connection until it has one.
  void access
    .then((allowed) => (allowed ? loadSavedSettings() : undefined))
    .then(
      (stored) => {
        const saved = stored && acceptableSettings(stored);
        if (saved && newer(saved)) known = saved;
        if (saved) send(known!, known === saved);
        else if (known) send(known);
        // Saved but unusable here (dated in the future): not an answer to act on.
        else post({ type: stored ? 'settings-unavailable' : 'settings-none' });
      },
      // No storage for this hub: the page falls back to its copy; the app and the other
      // hubs may still answer the query below.
      () => known || post({ type: 'settings-unavailable' }),
    );
  // Ask the app and the other hubs for anything newer than the page's copy.
  channel.postMessage({ type: 'query' } satisfies SettingsChannelMessage);

  const engines = new EngineRoster((active, rank) => post({ type: 'engines', active, rank }));
  return {
    beat: (m) => engines.own({ type: 'p2p-heartbeat', address: engineName(party), seeding: m.seeding, since: m.since, gone: m.gone }),
  };
}
