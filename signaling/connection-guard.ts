import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Caps the TCP connections one client IP holds at once (HTTP and upgraded tracker
 * sockets alike), so one client cannot hold every socket and buffer the server has. A
 * connection beyond the cap is answered 503 and closed at once.
 */
export function capConnectionsPerIp(server: Server, maxPerIp: number, onRefused?: (ip: string) => void): { count(ip: string): number } {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const ip = socket.remoteAddress ?? 'unknown';
    const n = (open.get(ip) ?? 0) + 1;
    if (n > maxPerIp) {
      onRefused?.(ip);
      socket.on('error', () => socket.destroy());
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 61\r\n\r\nE_TOO_MANY_CONNECTIONS: this client has too many connections.');
      return;
    }
    open.set(ip, n);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left > 0) open.set(ip, left);
      else open.delete(ip);
    });
  });
  return { count: (ip) => open.get(ip) ?? 0 };
}
