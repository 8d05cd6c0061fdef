/**
 * Ends tracker sockets whose other end has gone without closing (a laptop lid, a lost
 * network). bittorrent-tracker never notices them, and each one would keep its peer
 * entries, its peer_ids (which no other socket may use, so that browser's reconnection
 * would be refused) and a place in its IP's socket cap. Every `intervalMs` each socket
 * is pinged (RFC 6455 section 5.5.2; browsers answer pings by themselves); a socket that
 * sent neither a pong nor a message since the previous ping is terminated.
 */
export interface HeartbeatSocket {
  ping(): void;
  terminate(): void;
  on(event: 'pong' | 'message', listener: () => void): void;
}

export class TrackerHeartbeat<S extends HeartbeatSocket> {
  private readonly quiet = new Set<S>();
  private readonly sockets = new Set<S>();
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  /** `intervalMs` 0 turns the heartbeat off. */
  constructor(intervalMs: number) {
    if (intervalMs > 0) {
      this.timer = setInterval(() => this.beat(), intervalMs);
      this.timer.unref();
    }
  }

  add(socket: S): void {
    this.sockets.add(socket);
    const alive = () => this.quiet.delete(socket);
    socket.on('pong', alive);
    socket.on('message', alive);
  }

  delete(socket: S): void {
    this.sockets.delete(socket);
    this.quiet.delete(socket);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private beat(): void {
    for (const socket of this.sockets) {
      if (this.quiet.has(socket)) {
        this.delete(socket);
        socket.terminate();
        continue;
      }
      this.quiet.add(socket);
      try {
        socket.ping();
      } catch {
        // Not open any more: its close event takes it out.
      }
    }
  }
}
