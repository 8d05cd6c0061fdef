import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

const REFUSAL_TEXT = 'E_TOO_MANY_CONNECTIONS: this client has too many connections.';

/**
 * The per-IP connection cap behind a trusted proxy. `capConnectionsPerIp`
 * (connection-guard.ts) counts TCP peers, and behind a proxy every TCP peer is the proxy:
 * it would cap all visitors together. So with `--trust-proxy` the server counts instead,
 * per forwarded client IP (client-ip.ts), what that client holds here at once: requests
 * in progress and open tracker sockets. The proxy's own limits (nginx `limit_conn`) are
 * what bound the TCP connections a client holds at the proxy.
 */
export class ForwardedClientCap {
  private readonly open = new Map<string, number>();

  constructor(
    private readonly maxPerIp: number,
    private readonly onRefused?: (ip: string) => void,
  ) {}

  /** Admits a request of `ip` until its response closes; answers 503 and returns false beyond the cap. */
  admitRequest(res: ServerResponse, ip: string): boolean {
    if (!this.enter(ip)) {
      res.writeHead(503, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(REFUSAL_TEXT), Connection: 'close' }).end(REFUSAL_TEXT);
      return false;
    }
    res.once('close', () => this.leave(ip));
    return true;
  }

  /** Admits an upgraded (tracker) socket of `ip` until it closes; answers 503 and returns false beyond the cap. */
  admitSocket(socket: Duplex, ip: string): boolean {
    if (!this.enter(ip)) {
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(REFUSAL_TEXT)}\r\n\r\n${REFUSAL_TEXT}`);
      return false;
    }
    socket.once('close', () => this.leave(ip));
    return true;
  }

  /** What `ip` holds now. */
  count(ip: string): number {
    return this.open.get(ip) ?? 0;
  }

  private enter(ip: string): boolean {
    const n = (this.open.get(ip) ?? 0) + 1;
    if (n > this.maxPerIp) {
      this.onRefused?.(ip);
      return false;
    }
    this.open.set(ip, n);
    return true;
  }

  private leave(ip: string): void {
    const left = (this.open.get(ip) ?? 1) - 1;
    if (left > 0) this.open.set(ip, left);
    else this.open.delete(ip);
  }
}
