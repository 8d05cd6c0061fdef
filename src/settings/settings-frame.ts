import { ENGINE_EXPIRY_MS, ENGINES_CHANNEL, isSiteOriginOf, SETTINGS_CHANNEL, type FrameMessage, type HeartbeatMessage } from './messages.js';
import { loadSettings } from './settings-store.js';
import type { ResourceSettings } from '../swarm/governor.js';

/**
 * Runs in the hidden app-origin frame each site page embeds. Hands the parent page the
 * visitor's settings and every change to them, and counts the site engines alive in this
 * browser (heartbeats on a BroadcastChannel of the app's origin) so each can take its
 * share of the caps. Talks only to a parent that is a site origin under this app.
 */
// ancestorOrigins where the browser has it (Chromium, Safari); the referrer elsewhere.
const parentOrigin = location.ancestorOrigins?.[0] ?? (document.referrer ? new URL(document.referrer).origin : '');
const address = isSiteOriginOf(parentOrigin, location);

if (address && window.parent !== window) {
  const post = (message: FrameMessage) => window.parent.postMessage(message, parentOrigin);
  const settingsChannel = new BroadcastChannel(SETTINGS_CHANNEL);
  settingsChannel.onmessage = (event: MessageEvent<ResourceSettings>) => post({ type: 'p2p-settings', settings: event.data });
  void loadSettings().then((settings) => post({ type: 'p2p-settings', settings }));

  const engines = new BroadcastChannel(ENGINES_CHANNEL);
  /** Seeding engines by address: when last heard from, and when they started. */
  const seen = new Map<string, { at: number; since: number }>();
  let last = '';
  const recount = () => {
    const now = Date.now();
    for (const [key, e] of seen) if (now - e.at > ENGINE_EXPIRY_MS) seen.delete(key);
    const order = [...seen.entries()].sort((a, b) => b[1].since - a[1].since).map(([key]) => key);
    const active = Math.max(1, order.length);
    const rank = Math.max(0, order.indexOf(address));
    if (`${active}:${rank}` !== last) {
      last = `${active}:${rank}`;
      post({ type: 'p2p-engines', active, rank });
    }
  };
  const note = (m: HeartbeatMessage) => {
    if (m.seeding) seen.set(m.address, { at: Date.now(), since: m.since });
    else seen.delete(m.address);
    recount();
  };
  engines.onmessage = (event: MessageEvent<HeartbeatMessage>) => {
    if (event.data?.type === 'p2p-heartbeat' && typeof event.data.address === 'string') note(event.data);
  };
  window.addEventListener('message', (event: MessageEvent<HeartbeatMessage>) => {
    if (event.origin !== parentOrigin || event.data?.type !== 'p2p-heartbeat' || event.data.address !== address) return;
    // Our own engine counts too; BroadcastChannel does not deliver to its sender.
    note(event.data);
    engines.postMessage(event.data);
  });
}
