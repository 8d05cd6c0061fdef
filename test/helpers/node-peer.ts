import dns from 'node:dns';
import wrtc from '@roamhq/wrtc';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { WebSocket as NodeWebSocket } from 'ws';

/**
 * What a browser gives a site page and Node does not, so the site engine and WebTorrent's
 * browser bundle run in a test process as they run in a page:
 * - WebRTC: `@roamhq/wrtc`, a build of Google's libwebrtc, the same stack as Chromium's.
 * - WebSocket: `ws`, for the tracker socket (Node 20 has no global one).
 * - IndexedDB: `fake-indexeddb`, an in-memory implementation of the IndexedDB spec. It is
 *   the one stand-in here: Node has no IndexedDB, and each engine gets stores of its own.
 * - `*.localhost` names resolve to 127.0.0.1, as browsers resolve them (RFC 6761), so
 *   requests to a site's own origin reach the test server with the site's Host.
 * - `self` and `navigator`, which the bundle reads while it loads.
 * Idempotent: call it before importing anything that loads WebTorrent.
 */
export function installBrowserGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  if (g.__p2pNodePeer) return;
  g.__p2pNodePeer = true;
  g.self ??= globalThis;
  g.navigator ??= { userAgent: 'Node.js', hardwareConcurrency: 2, onLine: true };
  g.WebSocket ??= NodeWebSocket;
  g.RTCPeerConnection = wrtc.RTCPeerConnection;
  g.RTCSessionDescription = wrtc.RTCSessionDescription;
  g.RTCIceCandidate = wrtc.RTCIceCandidate;
  g.indexedDB = new IDBFactory();
  g.IDBKeyRange = IDBKeyRange;
  const lookup = dns.lookup;
  const loopbackLookup = function (this: unknown, host: string, options: unknown, callback?: unknown) {
    const cb = (typeof options === 'function' ? options : callback) as (err: Error | null, address: unknown, family?: number) => void;
    const opts = (typeof options === 'object' && options) || {};
    if (/\.localhost$/i.test(host)) return (opts as { all?: boolean }).all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
    return (lookup as (...a: unknown[]) => void).call(this, host, options, callback);
  };
  (dns as { lookup: unknown }).lookup = loopbackLookup;
}
