import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Server from 'bittorrent-tracker/server';
import type { Logger } from './log.js';
import { checkTrackerMessage, TrackerMessageError } from './tracker-message.js';

export interface TrackerOptions {
  /** Refuses announces for an info hash when this returns a reason. */
  refuse: (infoHash: string) => string | undefined;
  maxMessageBytes: number;
  peersPerSwarm: number;
  log: Logger;
}

/** The `ws` socket as bittorrent-tracker decorates it in `onWebSocketConnection`. */
interface TrackerSocket {
  onMessageBound?: (data: Buffer, isBinary?: boolean) => void;
  readyState: number;
  send(data: string): void;
  on(event: 'message', listener: (data: Buffer, isBinary?: boolean) => void): void;
  off(event: 'message', listener: (data: Buffer, isBinary?: boolean) => void): void;
}

interface TrackerServer {
  ws: { handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: unknown) => void): void; emit(event: string, ...args: unknown[]): void };
  torrents: Record<string, { peers: { length: number } }>;
  on(event: string, listener: (...args: unknown[]) => void): void;
  close(cb?: () => void): void;
}

/**
 * The WebSocket tracker browsers use for WebRTC signaling (bittorrent-tracker's server,
 * WebSocket only), attached to our HTTP server's `upgrade` event at `/announce`. A
 * client that sends garbage gets a failure reason; the server logs a warning and goes on.
 */
export class Tracker {
  private readonly server: TrackerServer;

  constructor(private readonly options: TrackerOptions) {
    this.server = new (Server as unknown as new (opts: unknown) => TrackerServer)({
      http: false,
      udp: false,
      stats: false,
      trustProxy: false,
      ws: { noServer: true, maxPayload: options.maxMessageBytes, perMessageDeflate: false },
      peersCacheLength: options.peersPerSwarm,
      filter: (infoHash: string, _params: unknown, cb: (err?: Error | null) => void) => {
        const reason = options.refuse(infoHash);
        cb(reason ? new Error(reason) : null);
      },
    });
    this.server.on('warning', (err) => options.log.warn('tracker_warning', { message: (err as Error).message?.slice(0, 200) }));
    this.server.on('error', (err) => options.log.error('tracker_error', { message: (err as Error).message?.slice(0, 200) }));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.server.ws.handleUpgrade(req, socket, head, (ws) => {
      this.server.ws.emit('connection', ws, req);
      this.guard(ws as TrackerSocket);
    });
  }

  /** Puts checkTrackerMessage in front of the library's message handler. */
  private guard(ws: TrackerSocket): void {
    const handler = ws.onMessageBound;
    if (typeof handler !== 'function') return;
    ws.off('message', handler);
    ws.on('message', (data: Buffer, isBinary?: boolean) => {
      try {
        checkTrackerMessage(String(data));
      } catch (err) {
        const reason = err instanceof TrackerMessageError ? err.message : 'bad message';
        this.options.log.warn('tracker_bad_message', { message: reason.slice(0, 200) });
        if (ws.readyState === 1) ws.send(JSON.stringify({ 'failure reason': reason }));
        return;
      }
      handler(data, isBinary);
    });
  }

  get swarmCount(): number {
    return Object.keys(this.server.torrents).length;
  }

  get peerCount(): number {
    return Object.values(this.server.torrents).reduce((n, t) => n + t.peers.length, 0);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
