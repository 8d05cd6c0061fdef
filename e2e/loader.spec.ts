import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, utf8 } from '../src/core/index.js';
import { countPeerConnections, newVisitor, peerConnectionsMade, publish, startTestServer, type TestServer } from './helpers/harness.js';

test.describe.configure({ mode: 'serial' });

/** An existing site on its own origin: plain static files, with a request log. */
class HostSite {
  readonly log: string[] = [];
  server!: Server;
  url = '';
  constructor(readonly files: Record<string, { type: string; body: Uint8Array }>) {}
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1)) || 'index.html';
      this.log.push(path);
      const file = this.files[path];
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' });
      res.end(file.body);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }
  count(path: string): number {
    return this.log.filter((p) => p === path).length;
  }
}

const svg = (color: string) => utf8(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="${color}"/></svg>`);
const ASSETS = { 'img/one.svg': svg('tomato'), 'img/two.svg': svg('teal'), 'media/data.bin': new Uint8Array(300_000).map((_, i) => (i * 7) & 255) };

let ts: TestServer;
let host: HostSite;
let address: string;

function page(site: string) {
  return utf8(`<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Host</title></head><body>
<h1>An existing site</h1>
<img id="one" data-p2p-src="img/one.svg" alt="one" width="40" height="30">
<img id="two" data-p2p-src="img/two.svg" alt="two" width="40" height="30">
<a id="dl" data-p2p-href="media/data.bin" download>data</a>
<script src="http://localhost:${ts.port}/loader.js" data-site="${site}" async></script>
</body></html>`);
}

test.beforeAll(async () => {
  ts = await startTestServer();
  // An asset bundle has no page of its own; its entry is just its first file.
  const bundle = await publish(ts.url, Object.entries(ASSETS).map(([path, bytes]) => ({ path, bytes })), await generateKeyPair(), 1, undefined, 'img/one.svg');
  address = bundle.manifest.address;
  const files: HostSite['files'] = {
    'index.html': { type: 'text/html', body: page(address) },
    'missing.html': { type: 'text/html', body: page('a'.repeat(52)) },
  };
  for (const [path, body] of Object.entries(ASSETS)) files[path] = { type: path.endsWith('.svg') ? 'image/svg+xml' : 'application/octet-stream', body };
  host = new HostSite(files);
  await host.start();
});
test.afterAll(async () => {
  host?.server.close();
  await ts?.stop();
});

async function imagesShown(p: Page): Promise<void> {
  for (const id of ['one', 'two']) {
    await expect.poll(() => p.locator(`#${id}`).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 20_000 }).toBe(40);
  }
}

interface Stats {
  usePeers: boolean;
  upload: boolean;
  badPieces?: number;
  bannedPeers?: number;
  fromPeers?: number;
  fromHost: number;
  files: Record<string, string>;
}
const stats = (p: Page) => p.evaluate(() => (window as unknown as { p2p: { stats(): Promise<Stats | undefined> } }).p2p.stats());


/** Opens the app in the visitor's context and changes settings through its panel. */
async function changeSettings(context: BrowserContext, change: (app: Page) => Promise<unknown>): Promise<Page> {
  const app = await context.newPage();
  await app.goto(`${ts.appUrl}#settings`);
  await expect(app.getByRole('button', { name: /Stop sharing|Resume sharing/ })).toBeVisible();
  await change(app);
  await expect(app.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  return app;
}

async function visit(browser: Browser, path = '') {
  const v = await newVisitor(browser, [/WebSocket/]);
  await v.page.goto(host.url + path);
  await imagesShown(v.page);
  return v;
}

test('first visitor: assets from the host server, verified; second visitor: from the first over WebRTC', async ({ browser }) => {
  const first = await visit(browser);
  await expect(first.page.locator('#one')).toHaveAttribute('src', /^blob:/);
  await expect(first.page.locator('#dl')).toHaveAttribute('href', /^blob:/, { timeout: 20_000 });
  expect(host.count('img/one.svg')).toBe(1);
  const fetched = await first.page.evaluate(async () => (await (window as unknown as { p2p: { fetch(p: string): Promise<Response> } }).p2p.fetch('media/data.bin')).arrayBuffer().then((b) => b.byteLength));
  expect(fetched).toBe(300_000);

  const second = await visit(browser);
  await expect(second.page.locator('#two')).toHaveAttribute('src', /^blob:/);
  await expect(second.page.locator('#dl')).toHaveAttribute('href', /^blob:/, { timeout: 20_000 });
  // The host served each asset once: to the first visitor only.
  for (const path of Object.keys(ASSETS)) expect(host.count(path), path).toBe(1);
  expect(first.errors()).toEqual([]);
  expect(second.errors()).toEqual([]);
  await second.context.close();
  await first.context.close();
});

test('a missing manifest, blocked WebRTC or a forged manifest leave the page fully working', async ({ browser }) => {
  // No site at this address: every asset falls back to its normal URL.
  const missing = await newVisitor(browser, [/status of 404/]);
  await missing.page.goto(host.url + 'missing.html');
  await imagesShown(missing.page);
  await expect(missing.page.locator('#one')).toHaveAttribute('src', 'http://127.0.0.1:' + new URL(host.url).port + '/img/one.svg');
  await missing.context.close();

  // WebRTC unavailable: assets come from the host, still verified.
  const blocked = await newVisitor(browser, [/WebSocket/]);
  await blocked.context.addInitScript(() => {
    delete (window as unknown as Record<string, unknown>).RTCPeerConnection;
  });
  await blocked.page.goto(host.url);
  await imagesShown(blocked.page);
  expect(blocked.errors()).toEqual([]);

  // A forged manifest (a higher seq without a valid signature) is refused.
  const tamperedManifest = await (await fetch(`${ts.url}/api/sites/${address}`)).json();
  const victim = await newVisitor(browser, [/WebSocket/]);
  await victim.context.route(`**/api/sites/${address}`, (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ...tamperedManifest, seq: tamperedManifest.seq + 1 }) }),
  );
  await victim.page.goto(host.url);
  await imagesShown(victim.page);
  // Refused, so the images use their normal URLs.
  await expect(victim.page.locator('#one')).toHaveAttribute('src', /img\/one\.svg$/);
  await victim.context.close();
  await blocked.context.close();
});

test('a peer seeding a damaged copy is banned; the next visitor gets verified bytes from the host', async ({ browser }) => {
  const bad = await visit(browser);
  await expect(bad.page.locator('#dl')).toHaveAttribute('href', /^blob:/, { timeout: 20_000 });
  // Damage every file the loader stored (same sizes, every byte flipped); the reload then
  // seeds the damaged copies, which it takes as verified.
  const damaged = await bad.page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('p2p-loader-blobs');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const read = db.transaction('blobs').objectStore('blobs');
    const keys = await new Promise<IDBValidKey[]>((resolve) => (read.getAllKeys().onsuccess = (e) => resolve((e.target as IDBRequest<IDBValidKey[]>).result)));
    const blobs = await new Promise<Blob[]>((resolve) => (read.getAll().onsuccess = (e) => resolve((e.target as IDBRequest<Blob[]>).result)));
    const flipped = await Promise.all(blobs.map(async (b) => new Blob([new Uint8Array(await b.arrayBuffer()).map((x) => x ^ 0xff)])));
    const write = db.transaction('blobs', 'readwrite');
    keys.forEach((k, i) => write.objectStore('blobs').put(flipped[i], k));
    await new Promise((resolve) => (write.oncomplete = resolve));
    return keys.length;
  });
  expect(damaged).toBe(Object.keys(ASSETS).length);
  await bad.page.reload();
  await expect.poll(async () => Object.values((await stats(bad.page))?.files ?? {}).join(), { timeout: 20_000 }).toBe('cache,cache,cache');
  const hostBefore = Object.keys(ASSETS).map((p) => host.count(p));

  const next = await visit(browser);
  for (const id of ['one', 'two']) await expect(next.page.locator(`#${id}`)).toHaveAttribute('src', /^blob:/);
  await expect(next.page.locator('#dl')).toHaveAttribute('href', /^blob:/, { timeout: 20_000 });
  // The wrong bytes did reach this visitor's wire, failed their piece hashes, and the peer was banned.
  const s = (await stats(next.page))!;
  expect(s.badPieces, 'pieces that failed verification').toBeGreaterThan(0);
  expect(s.bannedPeers).toBe(1);
  expect(s.files).toEqual({ 'img/one.svg': 'host', 'img/two.svg': 'host', 'media/data.bin': 'host' });
  // The host served each file once more, to this visitor, and what the page uses is the right bytes.
  Object.keys(ASSETS).forEach((p, i) => expect(host.count(p), p).toBe(hostBefore[i] + 1));
  const digest = await next.page.evaluate(async () => {
    const bytes = await (await (window as unknown as { p2p: { fetch(p: string): Promise<Response> } }).p2p.fetch('media/data.bin')).arrayBuffer();
    return [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
  });
  expect(digest).toBe(createHash('sha256').update(ASSETS['media/data.bin']).digest('hex'));
  expect(next.errors()).toEqual([]);
  await next.context.close();
  await bad.context.close();
});

test('"origin only" chosen in the app: the loader makes no RTCPeerConnection, and every image shows', async ({ browser }) => {
  // A seeder is online, so a loader that ignored the setting would connect to it.
  const seeder = await visit(browser);
  await expect(seeder.page.locator('#dl')).toHaveAttribute('href', /^blob:/, { timeout: 20_000 });
  const hostBefore = host.count('img/one.svg');

  const v = await newVisitor(browser, [/WebSocket/]);
  await countPeerConnections(v.context);
  await changeSettings(v.context, (app) => app.getByLabel('How this browser takes part').selectOption('origin-only'));
  await v.page.goto(host.url);
  await imagesShown(v.page);
  await expect(v.page.locator('#one')).toHaveAttribute('src', /^blob:/);
  await expect(v.page.locator('#dl')).toHaveAttribute('href', /^blob:/, { timeout: 20_000 });
  const s = (await stats(v.page))!;
  expect(s.usePeers).toBe(false);
  expect(Object.values(s.files)).toEqual(['host', 'host', 'host']);
  expect(host.count('img/one.svg')).toBe(hostBefore + 1);
  expect(await peerConnectionsMade(v.page)).toBe(0);
  expect(v.errors()).toEqual([]);
  await v.context.close();
  await seeder.context.close();
});

test('a WebM video starts playing from verified pieces before the whole file is in', async ({ browser }) => {
  // A few MB of WebM recorded in the browser (canvas + MediaRecorder): nothing downloaded.
  const maker = await newVisitor(browser);
  await maker.page.goto(host.url + 'missing.html');
  const base64 = await maker.page.evaluate(async () => {
    const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 360 });
    const g = canvas.getContext('2d')!;
    const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: 8_000_000 });
    const parts: Blob[] = [];
    recorder.ondataavailable = (e) => parts.push(e.data);
    recorder.start(200);
    const start = performance.now();
    for (let f = 0; performance.now() - start < 4000; f++) {
      for (let i = 0; i < 40; i++) {
        g.fillStyle = `hsl(${(f * 7 + i * 37) % 360},80%,50%)`;
        g.fillRect(((f * 13 + i * 101) % 600), ((f * 7 + i * 53) % 330), 80, 80);
      }
      await new Promise(requestAnimationFrame);
    }
    recorder.stop();
    await new Promise((r) => (recorder.onstop = r));
    const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  await maker.context.close();
  const clip = new Uint8Array(Buffer.from(base64, 'base64'));
  expect(clip.length).toBeGreaterThan(1_500_000);
  const bundle = await publish(ts.url, [{ path: 'media/clip.webm', bytes: clip }], await generateKeyPair(), 1, undefined, 'media/clip.webm');
  host.files['media/clip.webm'] = { type: 'video/webm', body: clip };
  host.files['video.html'] = {
    type: 'text/html',
    body: utf8(`<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Video</title></head><body>
<video id="v" data-p2p-src="media/clip.webm" muted preload="auto" width="320" height="180"></video>
<script src="http://localhost:${ts.port}/loader.js" data-site="${bundle.manifest.address}" async></script></body></html>`),
  };

  // The seeder caps its upload in the app, so the transfer takes several seconds.
  const seeder = await newVisitor(browser, [/WebSocket/]);
  await changeSettings(seeder.context, async (app) => {
    await app.getByLabel('Upload limit (kB/s)').fill('300');
    await app.getByLabel('Upload limit (kB/s)').press('Tab');
  });
  await seeder.page.goto(host.url + 'video.html');
  await expect.poll(async () => (await stats(seeder.page))?.files['media/clip.webm'], { timeout: 20_000 }).toBe('host');

  const viewer = await newVisitor(browser, [/WebSocket/]);
  // Times, in the page, of the video's first decodable frame and of the engine's "file complete".
  await viewer.context.addInitScript(() => {
    const w = window as unknown as { __times: Record<string, number> };
    w.__times = {};
    document.addEventListener('loadeddata', () => (w.__times.loadeddata ??= performance.now()), true);
    window.addEventListener('p2p:file', (e) => ((e as CustomEvent<{ path: string }>).detail.path === 'media/clip.webm' ? (w.__times.complete = performance.now()) : 0));
  });
  await viewer.page.goto(host.url + 'video.html');
  await expect.poll(() => viewer.page.evaluate(() => (window as unknown as { __times: Record<string, number> }).__times.complete), { timeout: 60_000 }).toBeGreaterThan(0);
  const times = await viewer.page.evaluate(() => (window as unknown as { __times: Record<string, number> }).__times);
  const s = (await stats(viewer.page))!;
  expect(s.files['media/clip.webm']).toBe('peers');
  expect(times.loadeddata, 'the video had a frame to show').toBeGreaterThan(0);
  // Playable at least a second before the last byte was in and verified.
  expect(times.complete - times.loadeddata).toBeGreaterThan(1000);
  test.info().annotations.push({ type: 'timing', description: `first frame ${Math.round(times.loadeddata)} ms, file complete ${Math.round(times.complete)} ms, ${clip.length} bytes` });
  expect(await viewer.page.locator('#v').evaluate((v: HTMLVideoElement) => ({ ready: v.readyState >= 2, error: v.error?.message ?? null, mse: v.src.startsWith('blob:') }))).toEqual({ ready: true, error: null, mse: true });
  expect(viewer.errors()).toEqual([]);
  await viewer.context.close();
  await seeder.context.close();
});
