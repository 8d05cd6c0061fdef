import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { announce, codeOf, id20, RawTrackerClient, startTracker } from './tracker-client.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const pings = (ws: WebSocket, n: number) =>
  new Promise<void>((resolve) => {
    let seen = 0;
    ws.on('ping', () => ++seen === n && resolve());
  });

describe('tracker heartbeat', () => {
  it('ends a socket that stops answering pings, which frees its peer_id, and keeps one that answers', async () => {
    const t = await startTracker({ heartbeatMs: 100 });
    cleanups.push(() => t.close());
    const open = async (options?: WebSocket.ClientOptions) => {
      const c = await RawTrackerClient.open(t.url, options);
      cleanups.push(() => c.terminate());
      return c;
    };
    const gone = await open({ autoPong: false }); // a browser whose network went away
    const alive = await open();
    const swarm = id20(1, '-IH-');
    expect((await gone.request(announce(swarm, id20(1)))).interval).toBeGreaterThan(0);
    expect((await alive.request(announce(swarm, id20(2)))).interval).toBeGreaterThan(0);
    // Meanwhile a reconnecting client with the same peer_id is refused.
    const next = await open();
    expect(codeOf(await next.request(announce(swarm, id20(1))))).toBe('E_PEER_ID_TAKEN');

    const alivePinged = pings(alive.ws, 3);
    const closed = await gone.whenClosed();
    expect(closed.code).toBe(1006); // terminated, no close frame
    await alivePinged;
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    expect((await alive.request(announce(swarm, id20(2), { event: undefined }))).interval).toBeGreaterThan(0);
    // The silent socket's peer is gone from the swarm and its peer_id is free.
    expect((await next.request(announce(swarm, id20(1)))).interval).toBeGreaterThan(0);
    expect(t.tracker.peerCount).toBe(2);
  });
});
