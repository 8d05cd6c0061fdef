import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES_CHANNEL, parseEngineBeat, SETTINGS_CHANNEL, type HubMessage } from '../../src/bridge/frame-messages.js';
import { partyOf } from '../../src/bridge/frame-origins.js';
import { relaySettings } from '../../src/settings/settings-relay.js';
import { normaliseSettings } from '../../src/swarm/governor.js';

const A = 'a'.repeat(52);
const app = { protocol: 'http:', host: 'p2p.localhost:8080', origin: 'http://p2p.localhost:8080' };
const site = partyOf(`http://${A}.p2p.localhost:8080`, app)!;
const host = partyOf('http://127.0.0.1:3000', app)!;
const saved = normaliseSettings({
  sharing: 'download-only',
  uploadLimit: 100_000,
  iceServers: [{ urls: 'turn:relay.example', username: 'u', credential: 'secret' }],
  updatedAt: Date.now() - 1000,
});

/** What a relay posted to its page, and a way to wait for the next message. */
function page() {
  const got: HubMessage[] = [];
  let wake: (() => void) | undefined;
  return {
    got,
    post: (m: HubMessage) => {
      got.push(m);
      wake?.();
    },
    async next(type: HubMessage['type']): Promise<HubMessage> {
      for (;;) {
        const found = got.find((m) => m.type === type);
        if (found) return found;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

/** Node has BroadcastChannel (one process plays the app and the hubs) but no IndexedDB: the hub's storage read fails, as where a browser denies it. */
describe('the hub settings side (settings-relay.ts)', () => {
  const channels: BroadcastChannel[] = [];
  const open = (name: string) => {
    const c = new BroadcastChannel(name);
    channels.push(c);
    return c;
  };
  beforeEach(() => {
    (globalThis as { document?: unknown }).document = { hasStorageAccess: async () => true };
  });
  afterEach(() => {
    for (const c of channels.splice(0)) c.close();
    delete (globalThis as { document?: unknown }).document;
  });

  it('a hub that cannot read the app storage says so, and then passes on what the app broadcasts', async () => {
    const p = page();
    relaySettings(site, p.post);
    expect(await p.next('settings-unavailable')).toEqual({ type: 'settings-unavailable' });
    open(SETTINGS_CHANNEL).postMessage({ type: 'settings', settings: saved });
    expect(await p.next('settings')).toEqual({ type: 'settings', settings: saved, fromStorage: false });
  });

  it('a host page gets the loader part only: no ICE servers (TURN credentials), the rest at its defaults', async () => {
    const p = page();
    relaySettings(host, p.post);
    open(SETTINGS_CHANNEL).postMessage({ type: 'settings', settings: saved });
    const m = await p.next('settings');
    expect(m.type === 'settings' && m.settings).toEqual(normaliseSettings({ sharing: 'download-only', uploadLimit: 100_000, updatedAt: saved.updatedAt }));
    expect(JSON.stringify(m)).not.toContain('secret');
  });

  it('settings that fail the checks are not passed on, and older ones never replace newer', async () => {
    const p = page();
    relaySettings(site, p.post);
    const channel = open(SETTINGS_CHANNEL);
    channel.postMessage({ type: 'settings', settings: { ...saved, updatedAt: Date.now() + 3_600_000 } });
    channel.postMessage({ type: 'settings', settings: saved });
    channel.postMessage({ type: 'settings', settings: { ...saved, sharing: 'share', updatedAt: saved.updatedAt - 1 } });
    // A channel delivers in order: once this one is heard, the three before it were handled.
    const newer = { ...saved, sharing: 'share' as const, updatedAt: saved.updatedAt + 1 };
    channel.postMessage({ type: 'settings', settings: newer });
    await expect.poll(() => p.got.filter((m) => m.type === 'settings').length).toBe(2);
    expect(p.got.filter((m) => m.type === 'settings')).toEqual([
      { type: 'settings', settings: saved, fromStorage: false },
      { type: 'settings', settings: newer, fromStorage: false },
    ]);
  });

  it('names each engine itself: a site by its address, a host page once per origin', async () => {
    const beats = open(ENGINES_CHANNEL);
    const heard: unknown[] = [];
    beats.onmessage = (event) => heard.push(parseEngineBeat(event.data));
    relaySettings(site, page().post).beat({ type: 'heartbeat', seeding: true, since: 5, gone: false });
    relaySettings(host, page().post).beat({ type: 'heartbeat', seeding: false, since: 6, gone: false });
    await expect.poll(() => heard.length).toBe(2);
    expect(heard).toEqual([
      { type: 'p2p-heartbeat', address: A, seeding: true, since: 5, gone: false },
      { type: 'p2p-heartbeat', address: 'loader:http://127.0.0.1:3000', seeding: false, since: 6, gone: false },
    ]);
  });
});
