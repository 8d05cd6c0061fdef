import { afterEach, describe, expect, it } from 'vitest';
import { parseSwarmPeers, SWARM_HEADER } from '../../src/core/index.js';
import { harness, publish, type Harness } from './helpers.js';
import { announce, RawTrackerClient } from './tracker-client.js';

const latin1OfHex = (hex: string) => Buffer.from(hex, 'hex').toString('latin1');

describe('the manifest answer says how many browsers hold the version', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('counts seeders and leechers of the served version on its own tracker', async () => {
    h = await harness();
    const { b } = await publish(h.server.url);
    const ask = async () => parseSwarmPeers((await fetch(`${h!.server.url}/api/sites/${b.manifest.address}`)).headers.get(SWARM_HEADER));
    expect(await ask()).toEqual({ seeders: 0, leechers: 0 });

    const tracker = await RawTrackerClient.open(`${h.server.url.replace('http', 'ws')}/announce`);
    const infoHash = latin1OfHex(b.manifest.torrent.infoHash);
    await tracker.request(announce(infoHash, '-WW0000-000000000001', { left: 0 }));
    await tracker.request(announce(infoHash, '-WW0000-000000000002', { left: 100 }));
    expect(await ask()).toEqual({ seeders: 1, leechers: 1 });
    await tracker.close();
  });

  it('leaves the header out when its pages also use other trackers (peers may be there)', async () => {
    h = await harness({ endpoints: { builtInTracker: true, trackers: ['ws://127.0.0.1:9/announce'], mirrors: [], peerServers: [] } });
    const { b } = await publish(h.server.url);
    const res = await fetch(`${h.server.url}/api/sites/${b.manifest.address}`);
    expect(res.status).toBe(200);
    expect(res.headers.get(SWARM_HEADER)).toBeNull();
  });
});

describe('parseSwarmPeers', () => {
  it('reads the counts and treats anything else as unknown', () => {
    expect(parseSwarmPeers('seeders=3, leechers=0')).toEqual({ seeders: 3, leechers: 0 });
    for (const bad of [null, undefined, '', 'seeders=-1, leechers=0', 'seeders=1', 'seeders=1,leechers=2', 'seeders=1e3, leechers=0']) expect(parseSwarmPeers(bad)).toBeUndefined();
  });
});
