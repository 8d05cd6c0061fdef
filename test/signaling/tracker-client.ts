import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { Logger } from '../../signaling/log.js';
import { Tracker, type TrackerOptions } from '../../signaling/tracker.js';

/** One message from the tracker, as JSON. */
export type TrackerReply = Record<string, unknown> & { 'failure reason'?: string; interval?: number };

/** A 20-character latin1 id (peer id, info hash, offer id) from a small number. */
export const id20 = (n: number, prefix = '-WW0000-'): string => `${prefix}${String(n).padStart(20 - prefix.length, '0')}`;

/** The hex form bittorrent-tracker uses internally (and `Tracker` exposes) for an id. */
export const hexOf = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('hex');

/** The code at the start of a failure reason (`E_BAD_MESSAGE: ...` → `E_BAD_MESSAGE`). */
export const codeOf = (reply: TrackerReply | undefined): string | undefined => /^(E_[A-Z_]+):/.exec(reply?.['failure reason'] ?? '')?.[1];

/** A reply to one of our own requests: a refusal, an announce answer, or a scrape answer. */
const isReply = (m: TrackerReply) => m['failure reason'] !== undefined || (m.action === 'announce' && m.interval !== undefined) || (m.action === 'scrape' && m.files !== undefined);

/**
 * A raw WebSocket client of the tracker for tests: it sends any JSON (or any text) and
 * waits for messages by predicate, never by time.
 */
export class RawTrackerClient {
  readonly messages: TrackerReply[] = [];
  private waiters: { match: (m: TrackerReply) => boolean; resolve: (m: TrackerReply) => void }[] = [];
  private closed?: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      let m: TrackerReply;
      try {
        m = JSON.parse(String(data)) as TrackerReply;
      } catch {
        m = { unparsed: String(data) };
      }
      this.messages.push(m);
      const i = this.waiters.findIndex((w) => w.match(m));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** Opens a socket to `url` (ws://host:port/announce). Rejects on an HTTP refusal. */
  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<RawTrackerClient> {
    const ws = new WebSocket(url, options);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawTrackerClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
      });
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message (already received and not yet claimed, or still to come) that matches. */
  next(match: (m: TrackerReply) => boolean = isReply, timeoutMs = 5000): Promise<TrackerReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching tracker message within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Sends one request and waits for its reply (a refusal or the tracker's answer). */
  async request(message: unknown): Promise<TrackerReply> {
    const reply = this.next();
    this.send(message);
    return reply;
  }

  /** Resolves with the close code and reason once the socket closes. */
  whenClosed(): Promise<{ code: number; reason: string }> {
    return this.closed!;
  }

  close(): Promise<unknown> {
    this.ws.close();
    return this.whenClosed();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** A well-formed announce as a browser's WebTorrent client sends it. */
export function announce(infoHash: string, peerId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { action: 'announce', info_hash: infoHash, peer_id: peerId, numwant: 0, uploaded: 0, downloaded: 0, left: 0, event: 'started', offers: [], ...extra };
}

/** Waits until `probe()` is true, polling at most `attempts` times `everyMs` apart. */
export async function until(probe: () => boolean | Promise<boolean>, what: string, attempts = 100, everyMs = 20): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A bare Tracker on 127.0.0.1, port 0, behind a plain HTTP server (for options the server does not expose). */
export async function startTracker(options: Partial<TrackerOptions> = {}): Promise<{ url: string; tracker: Tracker; close(): Promise<void> }> {
  const tracker = new Tracker({ refuse: () => undefined, maxMessageBytes: 128 * 1024, peersPerSwarm: 1000, log: new Logger(() => {}, false), ...options });
  const server = createServer((_req, res) => res.writeHead(426).end());
  const sockets = new Set<Duplex>();
  server.on('upgrade', (req, socket, head) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    tracker.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/announce`,
    tracker,
    async close() {
      for (const s of sockets) s.destroy();
      await tracker.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
