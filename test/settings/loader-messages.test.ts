import { describe, expect, it } from 'vitest';
import { loaderPart } from '../../src/bridge/frame-messages.js';
import { normaliseSettings } from '../../src/swarm/governor.js';

describe('loaderPart', () => {
  it('hands a host page the sharing settings and never the ICE servers (TURN credentials) or the cache size', () => {
    const settings = normaliseSettings({ sharing: 'origin-only', uploadLimit: 300_000, iceServers: [{ urls: 'turn:relay.example', username: 'u', credential: 'secret' }], relayOnly: true, updatedAt: 5 });
    const part = loaderPart(settings);
    expect(part).toEqual({ sharing: 'origin-only', paused: false, uploadLimit: 300_000, downloadLimit: -1, maxConnections: 8, maxSeededSites: 3, relayOnly: true, updatedAt: 5 });
    expect(JSON.stringify(part)).not.toContain('secret');
    // What the loader receives normalises back to full settings with no ICE servers.
    expect(normaliseSettings(part).iceServers).toEqual([]);
  });
});
