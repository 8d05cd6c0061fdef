import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../signaling/server.js';
import { fetchAs, publish, siteHost } from './helpers.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { runCli } from '../helpers/cli.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Starts `signaling/main.ts` as a child process, killed after the test. */
async function startChild(dataDir: string, more: string[] = []): Promise<ServerProcess> {
  const server = await startServerProcess(['--data', dataDir, ...more], 20_000);
  cleanups.push(async () => server.child.kill('SIGKILL'));
  return server;
}

describe('crash safety', () => {
  it('a kill -9 during an upload leaves the store consistent, and a restart keeps every site', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'p2p-crash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { child, port } = await startChild(dataDir);
    const { b } = await publish(`http://127.0.0.1:${port}`);

    // Start a large upload and kill the server while the body is arriving.
    const sha = 'ab'.repeat(32);
    const req = request({ hostname: '127.0.0.1', port, method: 'PUT', path: `/api/blobs/${sha}` });
    req.on('error', () => undefined);
    const chunk = Buffer.alloc(256 * 1024, 1);
    for (let i = 0; i < 8; i++) req.write(chunk);
    const tmp = join(dataDir, 'tmp');
    const deadline = Date.now() + 10_000;
    // Wait until the server has started writing the temp file, then kill it.
    while (Date.now() < deadline && (await readdir(tmp)).length === 0) await new Promise((r) => setTimeout(r, 20));
    expect((await readdir(tmp)).length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    req.destroy();

    // Nothing half-written is visible; the restart drops the temp file and keeps the site.
    await expect(stat(join(dataDir, 'blobs', sha.slice(0, 2), sha))).rejects.toThrow();
    const server: RunningServer = await startServer({ host: '127.0.0.1', port: 0, dataDir, distDir: join(dataDir, 'no-dist'), log: () => {} });
    cleanups.push(() => server.close());
    expect(await readdir(tmp)).toEqual([]);
    const got = await fetch(`${server.url}/api/sites/${b.manifest.address}`);
    expect(await got.json()).toEqual(b.manifest);
    const file = b.manifest.files[0];
    expect((await fetchAs(siteHost(b.manifest.address, server.port), `${server.url}/seed/${b.manifest.torrent.infoHash}/${b.manifest.torrent.name}/${file.path}`)).status).toBe(200);
  });
});

describe('server command', () => {
  it('--demo publishes the demo site and prints its URL; SIGTERM shuts down cleanly', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'p2p-demo-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { child, port, stderr } = await startChild(dataDir, ['--demo', '--dist', join(dataDir, 'no-dist')]);
    const address = new RegExp(`Demo site: http://([a-z2-7]{52})\\.p2p\\.localhost:${port}/`).exec(stderr())![1];
    const manifest = (await (await fetch(`http://127.0.0.1:${port}/api/sites/${address}`)).json()) as { seq: number; files: { path: string }[] };
    expect(manifest.seq).toBe(1);
    expect(manifest.files.map((f) => f.path)).toContain('blog/post.html');
    expect((await stat(join(dataDir, 'demo.key'))).mode & 0o777).toBe(0o600);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('publisher CLI', () => {
  const cli = runCli;

  it('creates a 0600 key file, publishes a folder, and shows the site', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'p2p-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const server = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), distDir: join(dir, 'dist'), log: () => {} });
    cleanups.push(() => server.close());
    const key = join(dir, 'site.key');
    const made = await cli(['keygen', '--out', key]);
    expect(made.code).toBe(0);
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    const address = /Address: ([a-z2-7]{52})/.exec(made.out)![1];
    expect((await cli(['keygen', '--out', key])).code).toBe(1); // never overwrites a key

    const site = join(dir, 'site');
    await mkdir(join(site, 'css'), { recursive: true });
    await writeFile(join(site, 'index.html'), '<h1>cli</h1>');
    await writeFile(join(site, 'css', 'a.css'), 'h1{}');
    await writeFile(join(site, '.secret'), 'not published');
    const first = await cli(['publish', site, '--key', key, '--server', server.url]);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`Address: ${address}`);
    expect(first.out).toContain(`URL: http://${address}.p2p.localhost:${server.port}/`);
    expect(first.err).toContain('skipping hidden .secret');
    const second = await cli(['publish', site, '--key', key, '--server', server.url]);
    expect(second.out).toContain('Published version 2');
    const info = await cli(['info', address, '--server', server.url]);
    expect(info.out).toContain('Version: 2');
    const manifest = (await (await fetch(`${server.url}/api/sites/${address}`)).json()) as { files: { path: string }[] };
    expect(manifest.files.map((f) => f.path)).toEqual(['css/a.css', 'index.html']);

    const bad = await cli(['publish', site]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Usage');
  });
});
