import type WebTorrent from 'webtorrent/dist/webtorrent.min.js';

/**
 * After the tracker comes back, WebTorrent's WebSocket tracker client (bittorrent-tracker,
 * lib/client/websocket-tracker.js) reconnects only on its own backoff: 10 s doubling
 * per failure plus up to 5 minutes of random delay, so open pages re-announced 3 to 5
 * minutes after a server restart. When the page knows the server answers again (its
 * manifest request did), every tracker connection waiting on that backoff reconnects now;
 * the page's own recheck interval and jitter (src/site/server-watch.ts) already spread
 * thousands of pages over seconds. Reaches into private fields, each access guarded: with
 * another library version that lacks them, the library keeps its own backoff.
 */
interface WaitingTracker {
  reconnecting?: boolean;
  destroyed?: boolean;
  reconnectTimer?: ReturnType<typeof setTimeout> | null;
  socket?: { connected?: boolean; once(event: 'connect', listener: () => void): void };
  _openSocket?: () => void;
  _onSocketConnect?: () => void;
}

export function reconnectTrackers(client: WebTorrent): number {
  let reconnected = 0;
  for (const torrent of client.torrents) {
    const trackers = (torrent as unknown as { discovery?: { tracker?: { _trackers?: WaitingTracker[] } } }).discovery?.tracker?._trackers ?? [];
    for (const tracker of trackers) {
      if (!tracker.reconnecting || typeof tracker._openSocket !== 'function') continue;
      if (tracker.reconnectTimer) clearTimeout(tracker.reconnectTimer);
      tracker.reconnectTimer = null;
      // `reconnecting` stays set: on connect the library announces again and resets it.
      tracker._openSocket();
      // All torrents of a page share one socket per tracker URL. A tracker that joins the
      // shared socket while it is still connecting gets no 'connect' listener from the
      // library (`_openSocket` only checks `connected`), so it would never announce: listen
      // for it here. For the tracker that opened the socket this runs after the library's
      // own handler has reset `reconnecting`, and does nothing.
      const socket = tracker.socket;
      if (socket && !socket.connected && typeof tracker._onSocketConnect === 'function') {
        socket.once('connect', () => {
          if (tracker.reconnecting && !tracker.destroyed) tracker._onSocketConnect!();
        });
      }
      reconnected++;
    }
  }
  return reconnected;
}
