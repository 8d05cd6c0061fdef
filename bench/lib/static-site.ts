import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Manifest } from '../../src/core/index.js';

/**
 * The plain HTTP a site replaces: a static server on 127.0.0.1 with the manifest's files at
 * their paths and types (bytes read from the signaling server's blob store), `/` the entry.
 */
export async function serveSiteStatically(manifest: Manifest, blobPath: (sha256: string) => string): Promise<{ url: string; close(): Promise<void> }> {
  const byPath = new Map(manifest.files.map((f) => [f.path, f]));
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname.slice(1)) || manifest.entry;
    const file = byPath.get(path);
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.size, 'Cache-Control': 'no-cache' });
    createReadStream(blobPath(file.sha256)).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
