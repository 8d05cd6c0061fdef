import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { classifyRequestPath } from '../src/core/index.js';
import type { ForwardedClientCap } from './forwarded-client-cap.js';
import { hostKindOf, wrongHost } from './host-kind.js';
import type { ServerContext } from './server-context.js';

/**
 * Hands WebSocket upgrades of `/announce` to the tracker; any other upgrade is refused
 * with a plain HTTP answer. Returns the upgraded sockets, which leave the HTTP server's
 * bookkeeping, so that closing the server can end them.
 */
export function attachTrackerUpgrade(server: Server, ctx: ServerContext, forwardedCap: ForwardedClientCap | undefined): Set<Duplex> {
  const upgraded = new Set<Duplex>();
  const { publicUrl } = ctx;
  server.on('upgrade', (req, socket, head) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    // Tracker sockets stay open and quiet between announces: the HTTP idle timeout is not theirs.
    (socket as Socket).setTimeout?.(0);
    const where = classifyRequestPath(new URL(`http://host${req.url?.startsWith('/') ? req.url : '/'}`).pathname);
    if (where.kind !== 'reserved' || where.segment !== 'announce' || where.segments.length !== 1) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (publicUrl && hostKindOf(req.headers.host, publicUrl).kind === 'other') {
      socket.end(`HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${wrongHost(publicUrl).message}`);
      return;
    }
    if (!ctx.endpoints.builtInTracker) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nthis server runs no tracker (--no-tracker)');
      return;
    }
    const ip = ctx.clientIp(req);
    if (forwardedCap && !forwardedCap.admitSocket(socket, ip)) return;
    ctx.tracker.handleUpgrade(req, socket, head, ip);
  });
  return upgraded;
}
