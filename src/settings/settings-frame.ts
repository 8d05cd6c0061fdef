import { acceptableHeartbeat, acceptableSettings, isSiteOriginOf, SETTINGS_CHANNEL, type ChannelMessage, type FrameMessage, type HeartbeatMessage, type HelloMessage } from './messages.js';
import type { ResourceSettings } from '../swarm/governor.js';
import { loadSavedSettings } from './settings-store.js';
import { EngineRoster } from './engine-roster.js';

/**
 * Runs in the hidden app-origin frame each site page embeds. Answers the page with the
 * visitor's settings from the app's storage (where the browser lets this frame use it:
 * site origins under the app's domain), relays settings between the site page, the
 * app's tabs and other site pages, and counts the site engines alive
 * in this browser (heartbeats) so each can take its share of the caps. Talks only to a
 * parent that is a site origin under this app.
 */
// ancestorOrigins where the browser has it (Chromium, Safari); the referrer elsewhere.
const parentOrigin = location.ancestorOrigins?.[0] ?? (document.referrer ? new URL(document.referrer).origin : '');
const address = isSiteOriginOf(parentOrigin, location);

if (address && window.parent !== window) {
  const post = (message: FrameMessage) => window.parent.postMessage(message, parentOrigin);
  let known: ResourceSettings | undefined;
  const newer = (s: ResourceSettings) => !known || (s.updatedAt ?? 0) > (known.updatedAt ?? 0);

  const settingsChannel = new BroadcastChannel(SETTINGS_CHANNEL);
  // `known` only ever holds settings from the app: its storage, or this channel (which
  // only app-origin pages can post to). A site page's own copy is never relayed, so no
  // site can push settings onto the others.
  settingsChannel.onmessage = (event: MessageEvent<ChannelMessage>) => {
    const m = event.data;
    const settings = m?.type === 'settings' ? acceptableSettings(m.settings) : undefined;
    if (settings && newer(settings)) {
      known = settings;
      post({ type: 'p2p-settings', settings });
    } else if (m?.type === 'query' && known) {
      settingsChannel.postMessage({ type: 'settings', settings: known } satisfies ChannelMessage);
    }
  };

  const engines = new EngineRoster((active, rank) => post({ type: 'p2p-engines', active, rank }));

  window.addEventListener('message', (event: MessageEvent<HeartbeatMessage | HelloMessage>) => {
    if (event.origin !== parentOrigin) return;
    const m = event.data;
    const heartbeat = acceptableHeartbeat(m);
    if (heartbeat && heartbeat.address === address) {
      engines.own(heartbeat);
    } else if (m?.type === 'p2p-hello') {
      // At once, before the storage read: the page can tell a slow answer from a frame
      // that failed (see known-choice.ts).
      post({ type: 'p2p-frame-ready' });
      // The settings the visitor saved in the app, even on a first visit with no app open.
      // Always an answer: the page opens no peer connection until it has one.
      void loadSavedSettings().then(
        (stored) => {
          const saved = stored && acceptableSettings(stored);
          if (saved && newer(saved)) known = saved;
          if (saved) post({ type: 'p2p-settings', settings: known!, fromStorage: known === saved });
          else if (known) post({ type: 'p2p-settings', settings: known });
          // Saved but unusable here (dated in the future): not an answer to act on.
          else post({ type: stored ? 'p2p-settings-unavailable' : 'p2p-settings-none' });
        },
        // No storage for this frame: the page falls back to its copy; the app and other
        // sites may still answer the query below.
        () => post({ type: 'p2p-settings-unavailable' }),
      );
      // Ask the app and the other sites for anything newer than the page's copy.
      settingsChannel.postMessage({ type: 'query' } satisfies ChannelMessage);
    }
  });
}
