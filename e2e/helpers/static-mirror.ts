import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve, sep } from 'node:path';

/** A plain static file server, as a CDN would be: files, byte ranges, CORS; nothing of this project. */
export interface StaticMirror {
  url: string;
  /** Bytes of file bodies sent so far. */
  readonly bytesSent: number;
  /** Requests answered, by method. */
  readonly requests: { HEAD: number; GET: number; OPTIONS: number };
  stop(): Promise<void>;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  // What WebTorrent's webseed sends (Firefox adds User-Agent to the preflight).
  'Access-Control-Allow-Headers': 'Range, Cache-Control, User-Agent',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges',
};

export async function startStaticMirror(folder: string): Promise<StaticMirror> {
  const root = resolve(folder);
  let bytesSent = 0;
  const requests = { HEAD: 0, GET: 0, OPTIONS: 0 };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const method = req.method ?? 'GET';
      if (method === 'OPTIONS') {
        requests.OPTIONS++;
        return void res.writeHead(204, CORS).end();
      }
      if (method !== 'GET' && method !== 'HEAD') return void res.writeHead(405, CORS).end();
      requests[method]++;
      const path = resolve(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1));
      const info = path.startsWith(root + sep) ? await stat(path).catch(() => undefined) : undefined;
      if (!info?.isFile()) return void res.writeHead(404, CORS).end();
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
      let start = 0;
      let end = info.size - 1;
      if (range) {
        start = Number(range[1]);
        end = range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
        if (start > end) return void res.writeHead(416, { ...CORS, 'Content-Range': `bytes */${info.size}` }).end();
      }
      const headers = { ...CORS, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream', 'Content-Length': String(end - start + 1) };
      res.writeHead(range ? 206 : 200, range ? { ...headers, 'Content-Range': `bytes ${start}-${end}/${info.size}` } : headers);
      if (method === 'HEAD' || info.size === 0) return void res.end();
      const stream = createReadStream(path, { start, end });
      stream.on('data', (c) => (bytesSent += c.length));
      stream.pipe(res);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get bytesSent() {
      return bytesSent;
    },
    requests,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
