import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Server from 'bittorrent-tracker/server';
import type { Logger } from './log.js';
import { TrackerError } from './tracker-errors.js';
import { TrackerHeartbeat } from './tracker-heartbeat.js';
import { TrackerLedger } from './tracker-ledger.js';
import { parseTrackerMessage, type AnnounceMessage } from './tracker-message.js';
import { TransferTally, type TallyResult, type TransferTallyOptions } from './transfer-tally.js';

export interface TrackerOptions {
  /** Refuses announces for an info hash (hex) when this returns a reason. */
  refuse: (infoHash: string) => string | undefined;
  maxMessageBytes: number;
  peersPerSwarm: number;
  log: Logger;
  /** Tracker sockets one IP address may hold open; more are refused with 429. Default 256. */
  socketsPerIp?: number;
  /** Swarms one socket may be in, counted per peer_id (one peer entry each). Default 64. */
  swarmsPerSocket?: number;
  /** Swarms all sockets of one IP address may be in together, counted the same way. Default 4,096. */
  swarmsPerIp?: number;
  /** Distinct peer_ids one socket may use. Default 16. */
  peerIdsPerSocket?: number;
  /** How often silent sockets are pinged, and ended when they stay silent; 0 is off. Default 30 s. */
  heartbeatMs?: number;
  /** Hears the transfer totals each admitted announce adds (transfer-tally.ts); only counted, never obeyed. */
  onTransfer?: (infoHash: string, result: TallyResult) => void;
  /** Caps on those totals. */
  transferTally?: TransferTallyOptions;
}

/**
 * Far above what browsers use (a page holds one tracker socket per WebTorrent client,
 * each with one peer_id in a few swarms: the site's discovery torrent and a version or
 * two), yet a flood from one IP stays within a few thousand peer entries.
 */
export type TrackerLimits = Required<Pick<TrackerOptions, 'socketsPerIp' | 'swarmsPerSocket' | 'swarmsPerIp' | 'peerIdsPerSocket' | 'heartbeatMs'>>;

export const DEFAULT_TRACKER_LIMITS: Readonly<TrackerLimits> = Object.freeze({
  socketsPerIp: 256,
  swarmsPerSocket: 64,
  swarmsPerIp: 4096,
  peerIdsPerSocket: 16,
  heartbeatMs: 30_000,
});

type MessageListener = (data: Buffer, isBinary?: boolean) => void;

/** The `ws` socket as bittorrent-tracker decorates it in `onWebSocketConnection`. */
interface TrackerSocket {
  /** The library's message handler; it sets this to null once it has closed the socket. */
  onMessageBound?: MessageListener | null;
  readyState: number;
  send(data: string): void;
  ping(): void;
  terminate(): void;
  on(event: 'message', listener: MessageListener): void;
  on(event: 'pong' | 'close', listener: () => void): void;
  off(event: 'message', listener: MessageListener): void;
}

interface TrackerSwarm {
  complete: number;
  incomplete: number;
  peers: {
    length: number;
    peek(peerId: string): { socket: unknown } | undefined;
    on(event: 'evict', listener: (entry: { key: string }) => void): void;
  };
  announce(params: { type: 'ws'; event: 'stopped'; numwant: 0; peer_id: string }): void;
}

type SwarmCallback = (err: Error | null, swarm?: TrackerSwarm) => void;

interface TrackerServer {
  ws: { handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: unknown) => void): void; emit(event: string, ...args: unknown[]): void };
  torrents: Record<string, TrackerSwarm>;
  createSwarm(infoHash: string, cb: SwarmCallback): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
  close(cb?: () => void): void;
}

const hex = (latin1: string) => Buffer.from(latin1, 'latin1').toString('hex');

/** The client's address as the kernel reports it (no proxy headers are trusted). */
const clientIp = (req: IncomingMessage) => (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');

/**
 * The WebSocket tracker browsers use for WebRTC signaling (bittorrent-tracker's server,
 * WebSocket only), attached to our HTTP server's `upgrade` event at `/announce`. Every
 * message is checked (tracker-message.ts) and every announce admitted (tracker-ledger.ts:
 * peer_id ownership, caps) before the library sees it; a refused one gets a failure
 * reason, the server logs a warning and goes on. Swarms nobody is in are dropped.
 */
export class Tracker {
  private readonly server: TrackerServer;
  private readonly ledger: TrackerLedger<TrackerSocket>;
  private readonly heartbeat: TrackerHeartbeat<TrackerSocket>;
  /** Swarms to drop if empty once the library has handled this turn's messages. */
  private readonly toCheck = new Set<string>();
  private checkScheduled = false;
  private readonly tally: TransferTally<TrackerSocket>;
  private readonly socketIps = new WeakMap<TrackerSocket, string>();

  constructor(private readonly options: TrackerOptions) {
    const limits = { ...DEFAULT_TRACKER_LIMITS, ...definedOnly(options) };
    this.ledger = new TrackerLedger(limits);
    this.heartbeat = new TrackerHeartbeat(limits.heartbeatMs);
    this.server = new (Server as unknown as new (opts: unknown) => TrackerServer)({
      http: false,
      udp: false,
      stats: false,
      trustProxy: false,
      ws: { noServer: true, maxPayload: options.maxMessageBytes, perMessageDeflate: false },
      peersCacheLength: options.peersPerSwarm,
      // No `filter`: the denylist is checked in `admit`, before anything is recorded.
    });
    // The library evicts peers by itself (a full swarm, a peer silent for 20 minutes);
    // the ledger must hear of it to give the place back.
    const create = this.server.createSwarm.bind(this.server);
    this.server.createSwarm = (infoHash, cb) =>
      create(infoHash, (err, swarm) => {
        swarm?.peers.on('evict', ({ key }) => {
          this.ledger.evicted(infoHash, key);
          this.checkSoon(infoHash);
        });
        cb(err, swarm);
      });
    // The library emits these once it has handled an admitted announce, with its params
    // (the socket, hex ids, and the client's `uploaded`/`downloaded` as sent, checked by
    // tracker-message.ts to be absent, null or whole numbers).
    this.tally = new TransferTally(options.transferTally);
    for (const event of ['start', 'update', 'complete', 'stop']) this.server.on(event, (_peerId, params) => this.countTransfer(params));
    this.server.on('warning', (err) => options.log.warn('tracker_warning', { message: (err as Error).message?.slice(0, 200) }));
    this.server.on('error', (err) => options.log.error('tracker_error', { message: (err as Error).message?.slice(0, 200) }));
  }

  /** `ip`: the client's address for the per-IP caps; behind a trusted proxy the server passes the forwarded one. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ip = clientIp(req)): void {
    socket.on('error', () => socket.destroy());
    try {
      this.ledger.reserveSocket(ip);
    } catch (err) {
      const refusal = err as TrackerError;
      this.options.log.warn('tracker_refused', { code: refusal.code, ip });
      const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    socket.once('close', () => this.ledger.releaseSocket(ip));
    this.server.ws.handleUpgrade(req, socket, head, (ws) => {
      this.server.ws.emit('connection', ws, req);
      this.guard(ws as TrackerSocket, ip);
    });
  }

  /** Puts the checks in front of the library's message handler, and the clean-up after its close handler. */
  private guard(ws: TrackerSocket, ip: string): void {
    const handler = ws.onMessageBound;
    if (typeof handler !== 'function') {
      // Another library version: refuse to run it unguarded.
      this.options.log.error('tracker_unguarded', { message: 'bittorrent-tracker no longer sets onMessageBound; closing the socket' });
      ws.terminate();
      return;
    }
    ws.off('message', handler);
    this.ledger.attach(ws, ip);
    this.socketIps.set(ws, ip);
    this.heartbeat.add(ws);
    ws.on('message', (data, isBinary) => this.onMessage(ws, ip, handler, data, isBinary));
    ws.on('close', () => {
      this.heartbeat.delete(ws);
      // The library handles a message in a chain of process.nextTick callbacks, so by
      // the next setImmediate every message this socket sent has reached its swarm.
      setImmediate(() => this.takeDown(ws));
    });
  }

  private onMessage(ws: TrackerSocket, ip: string, handler: MessageListener, data: Buffer, isBinary?: boolean): void {
    if (!ws.onMessageBound) return; // the library has closed this socket
    let announce: AnnounceMessage | undefined;
    try {
      const message = parseTrackerMessage(String(data));
      if (message.action === 'announce') {
        announce = message;
        this.admit(ws, message);
      }
    } catch (err) {
      const refusal = err instanceof TrackerError ? err : new TrackerError('E_BAD_MESSAGE', 'the tracker could not read this message');
      this.options.log.warn('tracker_refused', { code: refusal.code, message: refusal.message.slice(0, 200), ip });
      // Addressed like the library's own refusals, so the client of that torrent hears it.
      const reply = announce ? { action: 'announce', 'failure reason': refusal.message, info_hash: announce.infoHash } : { 'failure reason': refusal.message };
      if (ws.readyState === 1) ws.send(JSON.stringify(reply));
      return;
    }
    try {
      handler(data, isBinary);
    } catch (err) {
      this.options.log.error('tracker_handler_failed', { message: String((err as Error)?.message ?? err).slice(0, 200) });
    }
    if (announce) this.checkSoon(hex(announce.infoHash));
  }

  private countTransfer(params: unknown): void {
    if (!this.options.onTransfer || typeof params !== 'object' || params === null) return;
    const p = params as { socket?: TrackerSocket; info_hash?: unknown; peer_id?: unknown; uploaded?: unknown; downloaded?: unknown };
    const ip = p.socket && this.socketIps.get(p.socket);
    if (!ip || typeof p.info_hash !== 'string' || typeof p.peer_id !== 'string') return;
    const result = this.tally.report(p.socket!, ip, p.info_hash, p.peer_id, p);
    if (result.counted.uploaded || result.counted.downloaded || result.refused.uploaded || result.refused.downloaded) this.options.onTransfer(p.info_hash, result);
  }

  /** @throws {TrackerError} E_DENIED, or the ledger's refusals */
  private admit(ws: TrackerSocket, message: AnnounceMessage): void {
    const infoHash = hex(message.infoHash);
    const reason = this.options.refuse(infoHash);
    if (reason) throw new TrackerError('E_DENIED', reason);
    this.ledger.admit(ws, infoHash, hex(message.peerId), message.event);
  }

  /**
   * Takes every peer of a closed socket out of its swarms. The library itself only
   * stops the socket's first peer_id, so the others would stay until they expire.
   */
  private takeDown(ws: TrackerSocket): void {
    for (const { infoHash, peerId } of this.ledger.detach(ws)) {
      const swarm = this.server.torrents[infoHash];
      if (!swarm) continue;
      if (swarm.peers.peek(peerId)?.socket === ws) swarm.announce({ type: 'ws', event: 'stopped', numwant: 0, peer_id: peerId });
      this.dropIfEmpty(infoHash);
    }
  }

  private checkSoon(infoHash: string): void {
    this.toCheck.add(infoHash);
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      for (const ih of this.toCheck) this.dropIfEmpty(ih);
      this.toCheck.clear();
    });
  }

  /** bittorrent-tracker never deletes a swarm; one nobody is in would stay forever. */
  private dropIfEmpty(infoHash: string): void {
    const swarm = this.server.torrents[infoHash];
    if (swarm && swarm.peers.length === 0) delete this.server.torrents[infoHash];
  }

  get swarmCount(): number {
    return Object.keys(this.server.torrents).length;
  }

  /** Seeders and leechers of one swarm (hex info hash) as this tracker counts them now. */
  swarmPeers(infoHash: string): { seeders: number; leechers: number } {
    const swarm = this.server.torrents[infoHash];
    return { seeders: swarm?.complete ?? 0, leechers: swarm?.incomplete ?? 0 };
  }

  get peerCount(): number {
    return Object.values(this.server.torrents).reduce((n, t) => n + t.peers.length, 0);
  }

  /** Entries of the tracker's own tables (sockets, IP addresses, peer_ids), for tests. */
  get bookkeeping(): { sockets: number; ips: number; peerIds: number } {
    return this.ledger.size;
  }

  close(): Promise<void> {
    this.heartbeat.stop();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The options that are set, so an explicit `undefined` does not hide a default. */
function definedOnly(options: TrackerOptions): Partial<TrackerLimits> {
  const out: Partial<TrackerLimits> = {};
  for (const key of Object.keys(DEFAULT_TRACKER_LIMITS) as (keyof TrackerLimits)[]) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}
