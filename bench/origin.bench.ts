/**
 * origin_vs_static: the origin seed's throughput serving a 50 MB file (in 1 MiB ranges,
 * as webseed clients ask) over a plain Node static file server serving the same file
 * from disk, measured side by side in one run. Both servers run in their own process;
 * the runs alternate and the figure is the median of the per-pair ratios.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, generateKeyPair, utf8, type BundleInputFile, type Manifest } from '../src/core/index.js';
import { startServerProcess } from './lib/server-process.js';

export const figures = ['origin_vs_static'];

const SIZE = 50_000_000;
const RANGE = 1024 * 1024;
const RUNS = 11;

/** Uploads the files and the signed manifest, as `p2psite publish` does. */
async function publish(server: string, files: BundleInputFile[]): Promise<Manifest> {
  const key = await generateKeyPair();
  const bundle = await buildBundle({ files, secretKey: key.secretKey, seq: 1 });
  for (const { file, bytes } of bundle.files) {
    const res = await fetch(`${server}/api/blobs/${file.sha256}`, { method: 'PUT', body: new Blob([bytes as BlobPart]) });
    if (!res.ok) throw new Error(`blob upload: ${res.status} ${await res.text()}`);
  }
  const res = await fetch(`${server}/api/sites/${bundle.manifest.address}`, { method: 'PUT', body: JSON.stringify(bundle.manifest) });
  if (res.status !== 201) throw new Error(`publish: ${res.status} ${await res.text()}`);
  return bundle.manifest;
}

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
  const manifest = await publish(server.url, [{ path: 'index.html', bytes: utf8('<h1>x</h1>') }, { path: 'big.bin', bytes: payload }]);
  const file = manifest.files.find((f) => f.path === 'big.bin')!;
  const blobPath = join(dataDir, 'blobs', file.sha256.slice(0, 2), file.sha256);
  const size = (await stat(blobPath)).size;

  // The plain static server: ranges over the same file on disk, nothing else.
  const plainSource = `
    const { createServer } = require('node:http');
    const { createReadStream } = require('node:fs');
    const [path, size] = [process.argv[1], Number(process.argv[2])];
    const server = createServer((req, res) => {
      const m = /bytes=(\\d+)-(\\d+)/.exec(req.headers.range || '');
      const start = m ? Number(m[1]) : 0;
      const end = m ? Number(m[2]) : size - 1;
      res.writeHead(m ? 206 : 200, { 'Content-Length': end - start + 1, 'Content-Type': 'application/octet-stream' });
      createReadStream(path, { start, end }).pipe(res);
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));`;
  const plain = spawn(process.execPath, ['-e', plainSource, blobPath, String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const plainPort = await new Promise<number>((resolve, reject) => {
    plain.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    plain.once('exit', (code) => reject(new Error(`static server exited with ${code}`)));
  });
  const plainUrl = `http://127.0.0.1:${plainPort}/big.bin`;
  const originUrl = `${server.url}/seed/${manifest.torrent.infoHash}/${manifest.torrent.name}/big.bin`;
  try {
    const origin: number[] = [];
    const plainRates: number[] = [];
    await fetchAll(originUrl, size); // warm the page cache and both processes
    await fetchAll(plainUrl, size);
    for (let i = 0; i < RUNS; i++) {
      // Alternate which goes first, so neither always follows the other.
      if (i % 2) origin.push(await fetchAll(originUrl, size));
      plainRates.push(await fetchAll(plainUrl, size));
      if (i % 2 === 0) origin.push(await fetchAll(originUrl, size));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ratio = median(origin.map((o, i) => o / plainRates[i]));
    console.error(`origin seed ${(median(origin) / 1e6).toFixed(0)} MB/s, plain static ${(median(plainRates) / 1e6).toFixed(0)} MB/s (medians of ${RUNS})`);
    console.log(`BENCH origin_vs_static ${ratio.toFixed(2)} x`);
  } finally {
    plain.kill();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
