/**
 * Who holds what on the tracker: which socket owns each peer_id, which swarms each
 * socket's peers are in, how many sockets and swarm places each IP address holds. It
 * decides, before bittorrent-tracker sees an announce, whether that announce may go on,
 * and tells the tracker what to remove when a socket goes. It knows nothing of the
 * library, so it is tested on its own (test/signaling/tracker-ledger.test.ts).
 *
 * A swarm place is one peer_id in one swarm: exactly one peer entry the library keeps.
 * So `swarmsPerSocket` and `swarmsPerIp` bound the tracker's peer entries per socket and
 * per IP, whatever mix of peer_ids and info hashes a client uses.
 */
import { TrackerError } from './tracker-errors.js';
import type { AnnounceEvent } from './tracker-message.js';

export interface LedgerLimits {
  /** Tracker sockets one IP address may hold open at once. */
  socketsPerIp: number;
  /** Swarm places (peer_id × info hash) one socket may hold. */
  swarmsPerSocket: number;
  /** Swarm places all sockets of one IP address may hold together. */
  swarmsPerIp: number;
  /** Distinct peer_ids one socket may use over its life. */
  peerIdsPerSocket: number;
}

interface SocketEntry {
  ip: string;
  peerIds: Set<string>;
  /** info hash (hex) → the peer_ids (hex) of this socket in that swarm. */
  places: Map<string, Set<string>>;
  placeCount: number;
}

interface IpEntry {
  sockets: number;
  places: number;
}

/** One swarm place to take down: `peerId` (hex) in the swarm of `infoHash` (hex). */
export interface Place {
  infoHash: string;
  peerId: string;
}

export class TrackerLedger<S extends object> {
  private readonly owners = new Map<string, SocketEntry>();
  private readonly sockets = new Map<S, SocketEntry>();
  private readonly ips = new Map<string, IpEntry>();

  constructor(private readonly limits: LedgerLimits) {}

  /**
   * Counts a new connection from `ip`, before its WebSocket handshake.
   * @throws {TrackerError} E_IP_TOO_MANY_SOCKETS when `ip` holds `socketsPerIp` already
   */
  reserveSocket(ip: string): void {
    const entry = this.ip(ip);
    if (entry.sockets >= this.limits.socketsPerIp) {
      this.forgetIpIfIdle(ip, entry);
      throw new TrackerError('E_IP_TOO_MANY_SOCKETS', `this IP address has ${this.limits.socketsPerIp} tracker sockets open already; close some (one per page is enough) and try again`);
    }
    entry.sockets++;
  }

  /** The connection counted by `reserveSocket` has closed. */
  releaseSocket(ip: string): void {
    const entry = this.ips.get(ip);
    if (!entry) return;
    entry.sockets = Math.max(0, entry.sockets - 1);
    this.forgetIpIfIdle(ip, entry);
  }

  /** A WebSocket from `ip` is open and may announce. */
  attach(socket: S, ip: string): void {
    if (!this.sockets.has(socket)) this.sockets.set(socket, { ip, peerIds: new Set(), places: new Map(), placeCount: 0 });
  }

  /**
   * Decides whether `socket` may send this announce, and records it. A `stopped` event
   * gives the place back; any other event (or none, or an answer) takes one unless the
   * peer is in that swarm already.
   * @throws {TrackerError} E_PEER_ID_TAKEN, E_TOO_MANY_PEER_IDS, E_TOO_MANY_SWARMS or
   *   E_IP_TOO_MANY_SWARMS; nothing is recorded then
   */
  admit(socket: S, infoHash: string, peerId: string, event: AnnounceEvent | undefined): void {
    const entry = this.sockets.get(socket);
    if (!entry) throw new TrackerError('E_BAD_MESSAGE', 'this socket is closing; open a new one');
    const owner = this.owners.get(peerId);
    if (owner && owner !== entry) {
      throw new TrackerError('E_PEER_ID_TAKEN', 'another connection uses this peer_id; a client picks a random peer_id of its own (BEP 20) and keeps it to its own connection');
    }
    if (event === 'stopped') {
      // A peer_id nobody owns is in no swarm: stopping it changes nothing, so it is not bound.
      if (owner) this.leave(entry, infoHash, peerId);
      return;
    }
    if (!owner && entry.peerIds.size >= this.limits.peerIdsPerSocket) {
      throw new TrackerError('E_TOO_MANY_PEER_IDS', `this connection used ${this.limits.peerIdsPerSocket} peer_ids already; keep one peer_id per client, or open a new connection`);
    }
    const here = entry.places.get(infoHash);
    if (!here?.has(peerId)) {
      if (entry.placeCount >= this.limits.swarmsPerSocket) {
        throw new TrackerError('E_TOO_MANY_SWARMS', `this connection is in ${this.limits.swarmsPerSocket} swarms already; send event "stopped" for swarms you left`);
      }
      const ip = this.ip(entry.ip);
      if (ip.places >= this.limits.swarmsPerIp) {
        throw new TrackerError('E_IP_TOO_MANY_SWARMS', `connections from this IP address are in ${this.limits.swarmsPerIp} swarms already; leave some (event "stopped") and try again`);
      }
      if (here) here.add(peerId);
      else entry.places.set(infoHash, new Set([peerId]));
      entry.placeCount++;
      ip.places++;
    }
    if (!owner) {
      entry.peerIds.add(peerId);
      this.owners.set(peerId, entry);
    }
  }

  /** The library dropped `peerId` from a swarm by itself (the swarm was full, or the peer went quiet). */
  evicted(infoHash: string, peerId: string): void {
    const entry = this.owners.get(peerId);
    if (entry) this.leave(entry, infoHash, peerId);
  }

  /**
   * Forgets `socket`: its peer_ids become free and its places are given back to its IP.
   * Returns the places it held, for the tracker to take down in the same turn (so no
   * other socket can claim a peer_id whose peers are still in a swarm).
   */
  detach(socket: S): Place[] {
    const entry = this.sockets.get(socket);
    if (!entry) return [];
    this.sockets.delete(socket);
    const held: Place[] = [];
    for (const [infoHash, peerIds] of entry.places) for (const peerId of peerIds) held.push({ infoHash, peerId });
    for (const peerId of entry.peerIds) if (this.owners.get(peerId) === entry) this.owners.delete(peerId);
    const ip = this.ips.get(entry.ip);
    if (ip) {
      ip.places = Math.max(0, ip.places - entry.placeCount);
      this.forgetIpIfIdle(entry.ip, ip);
    }
    return held;
  }

  /** Sockets counted for `ip` (connections, including those still in their handshake). */
  socketsOf(ip: string): number {
    return this.ips.get(ip)?.sockets ?? 0;
  }

  /** Swarm places held by the sockets of `ip`. */
  placesOf(ip: string): number {
    return this.ips.get(ip)?.places ?? 0;
  }

  /** Sizes of every table, to check that memory returns to nothing. */
  get size(): { sockets: number; ips: number; peerIds: number } {
    return { sockets: this.sockets.size, ips: this.ips.size, peerIds: this.owners.size };
  }

  private leave(entry: SocketEntry, infoHash: string, peerId: string): void {
    const here = entry.places.get(infoHash);
    if (!here?.delete(peerId)) return;
    if (here.size === 0) entry.places.delete(infoHash);
    entry.placeCount--;
    const ip = this.ips.get(entry.ip);
    if (!ip) return;
    ip.places = Math.max(0, ip.places - 1);
    this.forgetIpIfIdle(entry.ip, ip);
  }

  private ip(ip: string): IpEntry {
    let entry = this.ips.get(ip);
    if (!entry) this.ips.set(ip, (entry = { sockets: 0, places: 0 }));
    return entry;
  }

  private forgetIpIfIdle(ip: string, entry: IpEntry): void {
    if (entry.sockets === 0 && entry.places === 0) this.ips.delete(ip);
  }
}
