import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { siteTorrent, torrentFile, utf8, type Manifest } from '../src/core/index.js';
import { startServer } from '../signaling/server.js';
import { newVisitor, openSite, publishFixture, startTestServer, waitForPhase, watchErrors, type TestServer } from './helpers/harness.js';

// Stock WebTorrent 2.8.5 (its own browser bundle, nothing of ours) on a page of another
// origin, given only a `.torrent` built from a manifest, as `p2psite info --torrent`
// writes it. The tests run in order on one server: later ones use the earlier seeders.
test.describe.configure({ mode: 'serial' });

/** What the page reports of one finished download. */
interface Download {
  infoHash: string;
  /** `wire.type` of every connection that carried the torrent: 'webSeed' or 'webrtc'. */
  wireTypes: string[];
  files: { path: string; size: number; sha256: string }[];
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>stock WebTorrent</title></head><body>
<script type="module">
import WebTorrent from '/webtorrent.min.js';
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
window.client = new WebTorrent();
window.client.on('error', (err) => console.error('client error', err.message));
window.download = async (torrentUrl) => {
  const bytes = new Uint8Array(await (await fetch(torrentUrl)).arrayBuffer());
  const wireTypes = new Set();
  const torrent = window.client.add(bytes);
  torrent.on('wire', (wire) => wireTypes.add(wire.type));
  await new Promise((resolve, reject) => {
    torrent.once('done', resolve);
    torrent.once('error', reject);
  });
  const files = [];
  for (const file of torrent.files) {
    const buf = await file.arrayBuffer();
    files.push({ path: file.path, size: buf.byteLength, sha256: hex(await crypto.subtle.digest('SHA-256', buf)) });
  }
  return { infoHash: torrent.infoHash, wireTypes: [...wireTypes], files };
};
window.stop = () => new Promise((resolve) => window.client.destroy(() => resolve()));
document.title = 'ready';
</script></body></html>`;

/** A plain static server on 127.0.0.1: the page, the stock bundle, and the `.torrent` files. */
class StockPageServer {
  server!: Server;
  url = '';
  constructor(private readonly files: Record<string, { type: string; body: Uint8Array }>) {}
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const file = this.files[new URL(req.url ?? '/', 'http://x').pathname];
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' });
      res.end(file.body);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let ts: TestServer;
let stock: StockPageServer;
let manifest: Manifest;
let seeder: { close(): Promise<void>; page: Page; errors: () => string[] } | undefined;

/** sha256 and size of every file, as the manifest signs them, under the torrent's folder. */
const expected = () => manifest.files.map((f) => ({ path: `${manifest.torrent.name}/${f.path}`, size: f.size, sha256: f.sha256 })).sort(byPath);
const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);
const trackerUrl = () => `ws://127.0.0.1:${ts.port}/announce`;

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${ts.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : Number.NaN;
}

async function stockPage(browser: import('@playwright/test').Browser, allow: RegExp[] = []) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page, allow);
  await page.goto(`${stock.url}/`);
  await expect(page).toHaveTitle('ready');
  return { page, errors, close: () => context.close() };
}

test.beforeAll(async () => {
  ts = await startTestServer();
  // A file of several pieces beside the fixture's small ones, so pieces span files.
  const published = await publishFixture(ts.url, 1, undefined, (files) => files.push({ path: 'media/data.bin', bytes: new Uint8Array(700_000).map((_, i) => (i * 31 + (i >> 9)) & 255) }));
  manifest = published.bundle.manifest;
  const full = siteTorrent(manifest, { tracker: trackerUrl(), siteOrigin: ts.siteUrl(manifest.address, '') });
  // The same version with the tracker only: whatever arrives, a peer sent it.
  const peersOnly = torrentFile(manifest.files, manifest.torrent, { announce: [trackerUrl()] });
  stock = new StockPageServer({
    '/': { type: 'text/html; charset=utf-8', body: utf8(PAGE) },
    '/webtorrent.min.js': { type: 'text/javascript', body: new Uint8Array(await readFile('node_modules/webtorrent/dist/webtorrent.min.js')) },
    '/site.torrent': { type: 'application/x-bittorrent', body: full.bytes },
    '/peers-only.torrent': { type: 'application/x-bittorrent', body: peersOnly },
  });
  await stock.start();
});

test.afterAll(async () => {
  await seeder?.close();
  await stock?.stop();
  await ts?.stop();
});

test('the origin seed answers the preflight for every header stock WebTorrent sends', async () => {
  const file = manifest.files[0];
  const res = await fetch(`${ts.url}/seed/${manifest.torrent.infoHash}/${manifest.torrent.name}/${file.path}`, {
    method: 'OPTIONS',
    headers: { Origin: stock.url, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'cache-control,range,user-agent' },
  });
  expect(res.status).toBe(204);
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
  for (const header of ['cache-control', 'range', 'user-agent']) expect(allowed).toContain(header);
  expect(res.headers.get('access-control-expose-headers')).toContain('Content-Range');
});

test('stock WebTorrent on another origin downloads a version from the webseed alone, every file as signed', async ({ browser }) => {
  const originBefore = await metric('p2p_bytes_total{source="origin"}');
  seeder = await stockPage(browser);
  const got = (await seeder.page.evaluate(() => (window as unknown as { download(u: string): Promise<Download> }).download('/site.torrent'))) as Download;
  expect(got.infoHash).toBe(manifest.torrent.infoHash);
  // Nobody else is in the swarm: the webseed carried it all.
  expect(got.wireTypes).toEqual(['webSeed']);
  expect(got.files.sort(byPath)).toEqual(expected());
  const total = manifest.files.reduce((n, f) => n + f.size, 0);
  expect((await metric('p2p_bytes_total{source="origin"}')) - originBefore).toBeGreaterThanOrEqual(total);
  expect(seeder.errors()).toEqual([]);
});

test('a second stock client gets the same version from the first over WebRTC, and its announce shows in /metrics', async ({ browser }) => {
  const originBefore = await metric('p2p_bytes_total{source="origin"}');
  const announcedBefore = await metric('p2p_announced_bytes_total{field="downloaded"}');
  const leecher = await stockPage(browser);
  const got = (await leecher.page.evaluate(() => (window as unknown as { download(u: string): Promise<Download> }).download('/peers-only.torrent'))) as Download;
  expect(got.infoHash).toBe(manifest.torrent.infoHash);
  expect(got.wireTypes).toEqual(['webrtc']);
  expect(got.files.sort(byPath)).toEqual(expected());
  expect(await metric('p2p_bytes_total{source="origin"}')).toBe(originBefore);

  // The leecher's "completed" announce carries its `downloaded` total. (The seeder's
  // `uploaded` waits for its next periodic announce: stock WebTorrent's "stopped" announce
  // reports 0, its torrent being destroyed first.)
  const total = manifest.files.reduce((n, f) => n + f.size, 0);
  await expect.poll(() => metric('p2p_announced_bytes_total{field="downloaded"}')).toBeGreaterThanOrEqual(announcedBefore + total);
  await seeder!.page.evaluate(() => (window as unknown as { stop(): Promise<void> }).stop());
  expect(seeder!.errors()).toEqual([]);
  expect(leecher.errors()).toEqual([]);
  await leecher.close();
  await seeder!.close();
  seeder = undefined;
});

test('with the origin seed off, stock WebTorrent gets the version from a visitor of the site', async ({ browser }) => {
  const visitor = await newVisitor(browser, [/WebSocket/, /ERR_CONNECTION_(REFUSED|RESET)/]);
  await openSite(visitor.page, ts.siteUrl(manifest.address));
  await waitForPhase(visitor.page, 'ready');

  // Restarted with --no-origin on the same port and data; the visitor's page comes back
  // from its cache (its requests cut by the restart are the errors allowed above).
  await ts.server.close();
  ts.server = await startServer({ host: '127.0.0.1', port: ts.port, dataDir: ts.dataDir, distDir: process.env.P2P_DIST ?? 'dist', origin: false, log: () => {} });
  await visitor.page.reload();
  await waitForPhase(visitor.page, 'ready');

  // The webseed in the .torrent now answers 503 E_ORIGIN_OFF: the bytes can only come from the visitor.
  const client = await stockPage(browser, [/status of 503/]);
  const got = (await client.page.evaluate(() => (window as unknown as { download(u: string): Promise<Download> }).download('/site.torrent'))) as Download;
  expect(got.wireTypes).toContain('webrtc');
  expect(got.files.sort(byPath)).toEqual(expected());
  expect(await metric('p2p_bytes_total{source="origin"}')).toBe(0);
  // The visitor's page reports what it uploaded when it goes hidden (as when its tab is
  // switched away or closed; a headless page never is, so the state is set here), with a
  // beacon. (The report on pagehide is best effort: a beacon sent while a page unloads was
  // lost in about 1 run in 4 here.)
  await visitor.page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const total = manifest.files.reduce((n, f) => n + f.size, 0);
  await expect.poll(() => metric('p2p_page_reported_bytes_total{field="uploaded"}')).toBeGreaterThanOrEqual(total);
  expect(await metric('p2p_page_reports_total{result="accepted"}')).toBeGreaterThanOrEqual(1);
  expect(client.errors()).toEqual([]);
  expect(visitor.errors()).toEqual([]);
  await client.close();
  await visitor.context.close();
});
