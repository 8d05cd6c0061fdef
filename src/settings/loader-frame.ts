import { acceptableHeartbeat, acceptableSettings, SETTINGS_CHANNEL, type ChannelMessage, type FrameMessage, type HeartbeatMessage } from './messages.js';
import { loaderPart, type LoaderHello, type LoaderSettingsMessage } from './loader-messages.js';
import type { ResourceSettings } from '../swarm/governor.js';
import { loadSavedSettings } from './settings-store.js';
import { EngineRoster } from './engine-roster.js';

/**
 * Runs in the hidden app-origin frame the embed loader adds to a host page (any
 * origin). Answers with the part of the visitor's settings a loader needs: from the
 * app's storage when the browser lets this frame use it, else from the app's tabs and
 * the settings frames of open sites over the `p2p-settings` BroadcastChannel (browsers
 * that block third-party storage still deliver it). Relays the loader's heartbeats on
 * `p2p-engines`, so the loader takes its share of the caps like a site engine does.
 */
let parentOrigin = '';
let known: ResourceSettings | undefined;
const newer = (s: ResourceSettings) => !known || (s.updatedAt ?? 0) > (known.updatedAt ?? 0);
const post = (message: LoaderSettingsMessage | FrameMessage) => parentOrigin && window.parent.postMessage(message, parentOrigin);
const learn = (input: unknown) => {
  const settings = acceptableSettings(input);
  if (!settings || !newer(settings)) return;
  known = settings;
  post({ type: 'p2p-loader-settings', settings: loaderPart(settings) });
};

const settingsChannel = new BroadcastChannel(SETTINGS_CHANNEL);
settingsChannel.onmessage = (event: MessageEvent<ChannelMessage>) => {
  if (event.data?.type === 'settings') learn(event.data.settings);
};

const engines = new EngineRoster((active, rank) => post({ type: 'p2p-engines', active, rank }));

window.addEventListener('message', (event: MessageEvent<LoaderHello | HeartbeatMessage>) => {
  if (event.source !== window.parent || window.parent === window) return;
  const m = event.data;
  if (m?.type === 'p2p-loader-hello' && !parentOrigin) {
    parentOrigin = event.origin;
    // At once: the loader can tell a slow answer from a frame that failed (known-choice.ts).
    post({ type: 'p2p-frame-ready' });
    // Settings heard on the channel before the hello had nowhere to go yet.
    if (known) post({ type: 'p2p-loader-settings', settings: loaderPart(known) });
    // Browsers that block third-party storage say so here; reading anyway only fails.
    // Always an answer (the loader opens no peer connection before it has one): a
    // partitioned or blocked storage holds nothing, so "nothing saved".
    void (document.hasStorageAccess?.() ?? Promise.resolve(true))
      .then((allowed) => (allowed ? loadSavedSettings() : undefined))
      .then(
        (saved) => {
          if (saved) learn(saved);
          if (!known) post({ type: saved ? 'p2p-settings-unavailable' : 'p2p-settings-none' });
        },
        () => known || post({ type: 'p2p-settings-unavailable' }), // Denied: the app and open sites may still answer the query.
      );
    settingsChannel.postMessage({ type: 'query' } satisfies ChannelMessage);
  } else if (event.origin === parentOrigin) {
    const heartbeat = acceptableHeartbeat(m);
    // One engine per host origin, whatever the page claims: a page cannot pose as many
    // engines to push real sites out of "sites shared at once" or shrink their caps.
    if (heartbeat) engines.own({ ...heartbeat, address: `loader:${parentOrigin}` });
  }
});
