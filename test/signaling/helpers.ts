import { request } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, generateKeyPair, utf8, type Bundle, type KeyPair } from '../../src/core/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../../signaling/server.js';

export interface Harness {
  server: RunningServer;
  dataDir: string;
  distDir: string;
  restart(options?: Partial<ServerOptions>): Promise<RunningServer>;
  close(): Promise<void>;
}

/** A server on a free port with a fresh data folder and a small fake build. */
export async function harness(options: Partial<ServerOptions> = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'p2p-server-test-'));
  const dataDir = join(root, 'data');
  const distDir = join(root, 'dist');
  await mkdir(join(distDir, 'assets'), { recursive: true });
  await writeFile(join(distDir, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(distDir, 'boot.html'), '<!doctype html><title>boot</title>');
  await writeFile(join(distDir, 'sw.js'), '// sw');
  await writeFile(join(distDir, 'assets', 'x-123.js'), '// asset');
  const base: ServerOptions = { host: '127.0.0.1', port: 0, dataDir, distDir, log: () => {}, ...options };
  const h: Harness = {
    server: await startServer(base),
    dataDir,
    distDir,
    async restart(more = {}) {
      await h.server.close();
      h.server = await startServer({ ...base, port: h.server.port, ...more });
      return h.server;
    },
    async close() {
      await h.server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
  return h;
}

export function siteFiles(text = 'hello'): { path: string; bytes: Uint8Array }[] {
  const big = new Uint8Array(50_000).map((_, i) => (i * 13) & 255);
  return [
    { path: 'index.html', bytes: utf8(`<!doctype html><h1>${text}</h1>`) },
    { path: 'media/big.bin', bytes: big },
  ];
}

export async function bundle(key: KeyPair, seq: number, text?: string): Promise<Bundle> {
  return buildBundle({ files: siteFiles(text), secretKey: key.secretKey, seq });
}

export async function putBlobs(url: string, b: Bundle): Promise<void> {
  for (const { file, bytes } of b.files) {
    const res = await fetch(`${url}/api/blobs/${file.sha256}`, { method: 'PUT', body: new Blob([bytes as BlobPart]) });
    if (res.status !== 201 && res.status !== 200) throw new Error(`blob ${res.status}`);
  }
}

export function putManifest(url: string, manifest: unknown, address = (manifest as { address: string }).address): Promise<Response> {
  return fetch(`${url}/api/sites/${address}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(manifest) });
}

export async function publish(url: string, key?: KeyPair, seq = 1, text?: string): Promise<{ key: KeyPair; b: Bundle; res: Response }> {
  const k = key ?? (await generateKeyPair());
  const b = await bundle(k, seq, text);
  await putBlobs(url, b);
  return { key: k, b, res: await putManifest(url, b.manifest) };
}

/** The Host header of a site's origin on a local server. */
export function siteHost(address: string, port: number): string {
  return `${address}.p2p.localhost:${port}`;
}

/**
 * `fetch` with a chosen Host header, as a browser on that origin would send it (Node's
 * fetch does not let a caller set Host). Answers a real `Response`.
 */
export function fetchAs(host: string, url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: { ...init.headers, Host: host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        const status = res.statusCode ?? 0;
        const empty = status === 204 || status === 304 || init.method === 'HEAD';
        resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers }));
      });
    });
    req.on('error', reject);
    req.end();
  });
}
