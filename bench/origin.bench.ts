/**
 * origin_vs_static: the origin seed's throughput serving a 50 MB file (in 1 MiB ranges,
 * as webseed clients ask) over a plain Node static file server serving the same file
 * from disk, measured side by side in one run: both servers in their own process, their
 * requests interleaved one by one. The figure is the ratio of their median 1 MiB range
 * times: above 1 the origin seed is faster.
 */
import { spawn, spawnSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, generateKeyPair, utf8, type BundleInputFile, type Manifest } from '../src/core/index.js';
import { startServerProcess } from '../test/helpers/server-process.js';

export const figures = ['origin_vs_static'];

const SIZE = 50_000_000;
const RANGE = 1024 * 1024;
const RUNS = 5;

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

/** Fetches `[start, end]` and returns the milliseconds it took. */
const agent = new Agent({ keepAlive: true });

/**
 * One range over HTTP/1.1 keep-alive, with a Host header (the origin seed answers only on
 * its site's own origin, `<address>.p2p.localhost`); both servers are asked the same way.
 */
function timedRange(url: string, start: number, end: number, host?: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { Range: `bytes=${start}-${end}`, ...(host ? { Host: host } : {}) } }, (res) => {
      let got = 0;
      res.on('data', (chunk: Buffer) => (got += chunk.length));
      res.on('end', () => {
        if (res.statusCode !== 206 || got !== end - start + 1) reject(new Error(`${url}: status ${res.statusCode}, ${got} bytes for ${start}-${end}`));
        else resolve(performance.now() - t0);
      });
    });
    req.on('error', reject);
    req.end();
  });
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
  // On a small machine where a server runs, next to the client or not, decided most of the
  // difference between runs: put both servers on the last CPU, this client on the first.
  const cpus = availableParallelism();
  if (cpus >= 2) {
    const pin = (cpu: number, pid: number) => spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' }).status === 0;
    const pinned = [pin(cpus - 1, server.child.pid!), pin(cpus - 1, plain.pid!), pin(0, process.pid)].every(Boolean);
    if (!pinned) console.error('(taskset not available: servers not pinned, expect more noise)');
  }
  const originHost = `${manifest.address}.p2p.localhost:${server.port}`;
  const originUrl = `${server.url}/seed/${manifest.torrent.infoHash}/${manifest.torrent.name}/big.bin`;
  try {
    // Range by range, both servers in turn (alternating which goes first), so load from
    // elsewhere on the machine hits both alike; RUNS passes over the whole file.
    const originMs: number[] = [];
    const plainMs: number[] = [];
    for (let start = 0; start < size; start += RANGE) await timedRange(originUrl, start, Math.min(size, start + RANGE) - 1, originHost); // warm-up
    for (let run = 0; run < RUNS; run++) {
      for (let start = 0, k = 0; start < size; start += RANGE, k++) {
        const end = Math.min(size, start + RANGE) - 1;
        if ((k + run) % 2) {
          originMs.push(await timedRange(originUrl, start, end, originHost));
          plainMs.push(await timedRange(plainUrl, start, end));
        } else {
          plainMs.push(await timedRange(plainUrl, start, end));
          originMs.push(await timedRange(originUrl, start, end, originHost));
        }
      }
    }
    // Medians: a request that waited on another process's burst says nothing about either server.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const rate = (ms: number) => RANGE / (ms / 1000) / 1e6;
    console.error(`origin seed ${rate(median(originMs)).toFixed(0)} MB/s, plain static ${rate(median(plainMs)).toFixed(0)} MB/s (median 1 MiB range of ${originMs.length}, interleaved)`);
    console.log(`BENCH origin_vs_static ${(median(plainMs) / median(originMs)).toFixed(2)} x`);
  } finally {
    agent.destroy();
    plain.kill();
    if (cpus >= 2) spawnSync('taskset', ['-a', '-p', '-c', `0-${cpus - 1}`, String(process.pid)], { stdio: 'ignore' }); // the benchmarks after this one get every CPU back
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
