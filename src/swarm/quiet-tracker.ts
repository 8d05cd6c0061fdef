import type { Torrent } from 'webtorrent/dist/webtorrent.min.js';

/**
 * Trims what WebTorrent's WebSocket tracker client (bittorrent-tracker) keeps running in
 * a page that only seeds, which is most of an open site's life:
 *
 * - each announce makes up to 5 WebRTC offers, one RTCPeerConnection each, kept 50 s
 *   for answers. The tracker hands them only to peers already in the swarm, so when it
 *   reports nobody else they are closed at once, and re-announces make no more offers
 *   than there were other peers last time. A peer that joins later sends its own offers
 *   to us through the tracker, so nobody becomes unreachable;
 * - the tracker socket (simple-websocket) polls `bufferedAmount` every 150 ms for
 *   stream backpressure, which the tracker never uses (it sends with `send()`); the poll
 *   runs only while a stream write actually waits.
 *
 * All of this reaches into the libraries' private fields, so every access is guarded:
 * if a field is missing (another version), the library keeps its own behaviour.
 */

interface TrackerSocket {
  connected?: boolean;
  destroyed?: boolean;
  _interval?: ReturnType<typeof setInterval> | null;
  _cb?: unknown;
  _onInterval?: () => void;
  _write?: (chunk: unknown, cb: (err: Error | null) => void) => void;
  once(event: string, listener: () => void): void;
}

interface OfferPeer {
  connected?: boolean;
  trackerTimeout?: ReturnType<typeof setTimeout> | null;
  destroy(): void;
}

interface WebSocketTracker {
  announceUrl?: string;
  socket?: TrackerSocket;
  peers?: Record<string, OfferPeer> | null;
  _openSocket?: () => void;
}

interface TrackerClient {
  _trackers?: WebSocketTracker[];
  on(event: 'update', listener: (data: { announce?: string; complete?: number; incomplete?: number }) => void): void;
}

const BACKPRESSURE_POLL_MS = 150;
const MAX_OFFERS = 5;
const quietSockets = new WeakSet<object>();

function quietSocket(socket: TrackerSocket | undefined): void {
  if (!socket || quietSockets.has(socket) || typeof socket._write !== 'function' || typeof socket._onInterval !== 'function') return;
  quietSockets.add(socket);
  const stopPolling = () => {
    if (socket._interval) clearInterval(socket._interval);
    socket._interval = null;
  };
  if (socket.connected) stopPolling();
  else socket.once('connect', stopPolling);
  const write = socket._write.bind(socket);
  const poll = socket._onInterval.bind(socket);
  socket._write = (chunk, cb) => {
    write(chunk, cb);
    if (!socket._cb || socket._interval || socket.destroyed) return;
    socket._interval = setInterval(() => {
      poll();
      if (!socket._cb) stopPolling();
    }, BACKPRESSURE_POLL_MS);
  };
}

function closeOffers(tracker: WebSocketTracker): void {
  const peers = tracker.peers;
  if (!peers) return;
  for (const [id, peer] of Object.entries(peers)) {
    if (peer.connected) continue;
    if (peer.trackerTimeout) clearTimeout(peer.trackerTimeout);
    delete peers[id];
    peer.destroy();
  }
}

/**
 * Returns the `getAnnounceOpts` to give `client.add` for `torrent`, and, once the torrent
 * exists, call `watch(torrent)` so the tracker's answers steer the offers.
 */
export function quietTracker(onOthers?: (others: number) => void): { getAnnounceOpts: () => { numwant?: number }; watch: (torrent: Torrent) => void } {
  let othersLastTime: number | undefined;
  const attach = (client: TrackerClient) => {
    for (const tracker of client._trackers ?? []) {
      quietSocket(tracker.socket);
      const open = tracker._openSocket;
      if (typeof open === 'function') {
        // Reconnects open a new socket; quiet that one too.
        tracker._openSocket = () => {
          open.call(tracker);
          quietSocket(tracker.socket);
        };
      }
    }
    client.on('update', (data) => {
      if (typeof data.complete !== 'number' && typeof data.incomplete !== 'number') return;
      // The counts include this browser.
      othersLastTime = Math.max(0, (data.complete ?? 0) + (data.incomplete ?? 0) - 1);
      onOthers?.(othersLastTime);
      if (othersLastTime > 0) return;
      const tracker = client._trackers?.find((t) => t.announceUrl === data.announce);
      if (tracker) closeOffers(tracker);
    });
  };
  return {
    getAnnounceOpts: () => (othersLastTime === undefined ? {} : { numwant: Math.min(MAX_OFFERS, othersLastTime) }),
    watch: (torrent) => {
      const now = torrent.discovery?.tracker as TrackerClient | undefined;
      if (now) return attach(now);
      torrent.once('ready', () => {
        const later = torrent.discovery?.tracker as TrackerClient | undefined;
        if (later) attach(later);
      });
    },
  };
}
