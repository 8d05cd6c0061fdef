/**
 * origin_vs_static: the origin seed's throughput serving a 50 MB file (in 1 MiB ranges,
 * as webseed clients ask) over a plain Node static file server serving the same file
 * from disk, measured side by side in one run.
 */
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, utf8 } from '../src/core/index.js';
import { publish } from '../e2e/helpers/harness.js';
import { startServerProcess } from './lib/server-process.js';

export const figures = ['origin_vs_static'];

const SIZE = 50_000_000;
const RANGE = 1024 * 1024;

async function fetchAll(url: string, size: number): Promise<number> {
  const t0 = performance.now();
  let got = 0;
  for (let start = 0; start < size; start += RANGE) {
    const res = await fetch(url, { headers: { Range: `bytes=${start}-${Math.min(size, start + RANGE) - 1}` } });
    got += (await res.arrayBuffer()).byteLength;
  }
  if (got !== size) throw new Error(`got ${got} of ${size} bytes from ${url}`);
  return size / ((performance.now() - t0) / 1000);
}

export default async function run(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'p2p-bench-origin-'));
  const server = await startServerProcess(['--data', dataDir, '--dist', join(dataDir, 'dist')]);
  const payload = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) payload[i] = (i * 2654435761) >>> 24;
  const { manifest } = await publish(server.url, [{ path: 'index.html', bytes: utf8('<h1>x</h1>') }, { path: 'big.bin', bytes: payload }], await generateKeyPair(), 1);
  const file = manifest.files.find((f) => f.path === 'big.bin')!;
  const blobPath = join(dataDir, 'blobs', file.sha256.slice(0, 2), file.sha256);
  const size = (await stat(blobPath)).size;

  // The plain static server: ranges over the same file on disk, nothing else.
  const plain = createServer((req, res) => {
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m ? Number(m[2]) : size - 1;
    res.writeHead(m ? 206 : 200, { 'Content-Length': end - start + 1, 'Content-Type': 'application/octet-stream' });
    createReadStream(blobPath, { start, end }).pipe(res);
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
  const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/big.bin`;
  const originUrl = `${server.url}/seed/${manifest.torrent.infoHash}/${manifest.torrent.name}/big.bin`;
  try {
    const origin: number[] = [];
    const plainRates: number[] = [];
    for (let i = 0; i < 3; i++) {
      plainRates.push(await fetchAll(plainUrl, size));
      origin.push(await fetchAll(originUrl, size));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    console.error(`origin seed ${(median(origin) / 1e6).toFixed(0)} MB/s, plain static ${(median(plainRates) / 1e6).toFixed(0)} MB/s`);
    console.log(`BENCH origin_vs_static ${(median(origin) / median(plainRates)).toFixed(2)} x`);
  } finally {
    plain.close();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
