import { expect, test, type Browser, type BrowserContext, type Page, type Route } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, utf8, type Manifest } from '../src/core/index.js';
import { FRAME_READY_MS } from '../src/settings/known-choice.js';
import { engineState, newVisitor, openSite, publish, startTestServer, watchErrors, type TestServer } from './helpers/harness.js';

/**
 * A privacy choice holds before the first packet (INVARIANTS.md 10): while the settings
 * frame has not answered, a site page opens no tracker socket and no RTCPeerConnection,
 * however late the answer comes, and the visit still completes from the origin seed.
 */
test.describe.configure({ mode: 'serial' });

let ts: TestServer;
test.beforeAll(async () => {
  ts = await startTestServer();
});
test.afterAll(async () => {
  await ts?.stop();
});

function bigSite(bytes: number, label: string) {
  const payload = new Uint8Array(bytes);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761 + label.length) >>> 24;
  return [
    { path: 'index.html', bytes: utf8(`<!doctype html><title>${label}</title><link rel="icon" href="data:,"><h1 id="title">${label}</h1>`) },
    { path: 'data/payload.bin', bytes: payload },
  ];
}

/**
 * Records, in the site origin's sessionStorage (it survives the boot page's reload),
 * when each RTCPeerConnection and each WebSocket to a tracker was constructed: the
 * constructors are wrapped before any script of the page runs.
 */
async function recordConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    // Each entry says which document made it (its time origin): a page being left by a
    // reload may still open a connection after the test cleared the list.
    const note = (key: string, at: number) => {
      const list = JSON.parse(sessionStorage.getItem(key) ?? '[]') as unknown[];
      sessionStorage.setItem(key, JSON.stringify([...list, { at, doc: performance.timeOrigin }]));
    };
    const RTC = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends RTC {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        note('test-rtc', Date.now());
        super(...args);
      }
    } as typeof RTCPeerConnection;
    const WS = window.WebSocket;
    window.WebSocket = class extends WS {
      constructor(url: string | URL, protocols?: string | string[]) {
        if (String(url).includes('/announce')) note('test-announce', Date.now());
        super(url, protocols);
      }
    } as typeof WebSocket;
  });
}

/** Construction times recorded by `recordConnections` on the page's origin in this tab. */
async function connectionsMade(page: Page, byDocumentsFrom = 0): Promise<{ rtc: number[]; announce: number[] }> {
  return page.evaluate((from) => {
    const made = (key: string) => (JSON.parse(sessionStorage.getItem(key) ?? '[]') as { at: number; doc: number }[]).filter((e) => e.doc >= from).map((e) => e.at);
    return { rtc: made('test-rtc'), announce: made('test-announce') };
  }, byDocumentsFrom);
}

/**
 * Holds every load of the settings frame (`/__p2p/settings.html`) until `release()`:
 * the frame answers as late as the test wants. Later loads pass at once.
 */
async function holdSettingsFrame(context: BrowserContext, path = '/__p2p/settings.html'): Promise<{ release(): number; held(): number }> {
  let releasedAt = 0;
  let count = 0;
  const waiting: Route[] = [];
  await context.route(`**${path}`, (route) => {
    count++;
    if (releasedAt) return route.continue();
    waiting.push(route);
  });
  return {
    held: () => count,
    release() {
      releasedAt = Date.now();
      // A route whose page has gone (the boot page reloaded meanwhile) cannot go on; nothing to do then.
      for (const route of waiting.splice(0)) route.continue().catch(() => undefined);
      return releasedAt;
    },
  };
}

/** Tracker sockets the page opened, as Playwright saw them, with the time each opened. */
function watchTrackerSockets(page: Page): number[] {
  const opened: number[] = [];
  page.on('websocket', (ws) => {
    if (ws.url().includes('/announce')) opened.push(Date.now());
  });
  return opened;
}

/** The site's record in its own origin's cache (usage counters kept across the reload). */
function siteRecord(page: Page, address: string): Promise<{ bytesFromPeers: number; bytesFromOrigin: number } | undefined> {
  return page.evaluate(
    (key) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('p2p-sites');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('sites').objectStore('sites').get(key);
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        };
      }),
    address,
  );
}

/** Saves "origin only" in the app and returns the storage (IndexedDB included) a fresh visitor starts with. */
async function originOnlyState(browser: Browser): ReturnType<BrowserContext['storageState']> {
  const { context, page, errors } = await newVisitor(browser);
  await page.goto(`${ts.appUrl}#settings`);
  await page.getByLabel('How this browser takes part').selectOption('origin-only');
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  const state = await context.storageState({ indexedDB: true });
  expect(errors()).toEqual([]);
  await context.close();
  return state;
}

test('"origin only" with the settings frame answering late: 6 visitors at once open no tracker socket and no RTCPeerConnection, and every visit completes', async ({ browser }) => {
  test.setTimeout(240_000);
  const manifest: Manifest = (await publish(ts.url, bigSite(600_000, 'private-late'), await generateKeyPair(), 1)).manifest;
  const state = await originOnlyState(browser);
  const visitors = await Promise.all(
    Array.from({ length: 6 }, async () => {
      const context = await browser.newContext({ storageState: state });
      await recordConnections(context);
      const frame = await holdSettingsFrame(context);
      const page = await context.newPage();
      return { context, page, frame, errors: watchErrors(page), sockets: watchTrackerSockets(page) };
    }),
  );

  // All arrive at once; the frame answers none of them until every visit has completed.
  await Promise.all(visitors.map((v) => openSite(v.page, ts.siteUrl(manifest.address))));
  for (const v of visitors) {
    await expect(v.page.locator('#title')).toHaveText('private-late');
    await expect.poll(() => v.frame.held(), { message: 'the boot page and the site page each asked for the frame' }).toBe(2);
    expect(await connectionsMade(v.page), 'nothing opened while the frame had not answered').toEqual({ rtc: [], announce: [] });
    expect(v.sockets).toEqual([]);
    expect((await engineState(v.page)).sharing, 'nothing decided before the frame answers').toBeUndefined();
  }
  for (const v of visitors) v.frame.release();
  for (const v of visitors) {
    await expect.poll(async () => (await engineState(v.page)).sharing).toMatchObject({ usePeers: false, reason: 'origin-only' });
  }
  for (const v of visitors) {
    // Across the boot page and the site page: not one connection, before or after the answer.
    expect(await connectionsMade(v.page)).toEqual({ rtc: [], announce: [] });
    expect(v.sockets).toEqual([]);
    expect(v.errors()).toEqual([]);
  }
  await Promise.all(visitors.map((v) => v.context.close()));
});

test('peers allowed and the frame late: the site loads from the origin, no tracker socket opens before the answer, peers join after it and keep the bytes already fetched', async ({ browser }) => {
  test.setTimeout(180_000);
  const size = 2_000_000;
  const manifest: Manifest = (await publish(ts.url, bigSite(size, 'shared-late'), await generateKeyPair(), 1)).manifest;

  // A: nothing saved in the app (the defaults: peers on). The frame answers after the visit.
  const a = await newVisitor(browser);
  await recordConnections(a.context);
  const aFrame = await holdSettingsFrame(a.context);
  const aSockets = watchTrackerSockets(a.page);
  await openSite(a.page, ts.siteUrl(manifest.address));
  await expect(a.page.locator('#title')).toHaveText('shared-late');
  expect(await connectionsMade(a.page)).toEqual({ rtc: [], announce: [] });
  const aReleased = aFrame.release();
  // Peers join once the answer is in: A now seeds the version it holds.
  await expect.poll(async () => (await engineState(a.page)).sharing?.usePeers).toBe(true);
  await expect.poll(() => aSockets.length).toBeGreaterThan(0);
  const aMade = await connectionsMade(a.page);
  expect(Math.min(...aMade.announce)).toBeGreaterThanOrEqual(aReleased);
  expect(aSockets.every((t) => t >= aReleased)).toBe(true);

  // B: the origin seed sends a few pieces, then fails; the frame answers only after B has
  // bytes from the origin. The rest can then only come from A, over WebRTC.
  const b = await newVisitor(browser, [/Failed to load resource/]);
  await recordConnections(b.context);
  const bFrame = await holdSettingsFrame(b.context);
  const bSockets = watchTrackerSockets(b.page);
  let seedGets = 0;
  await b.context.route(`**/seed/${manifest.torrent.infoHash}/**`, (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    return ++seedGets <= 6 ? route.continue() : route.abort();
  });
  void b.page.goto(ts.siteUrl(manifest.address));
  await b.page.waitForFunction(() => ((globalThis as unknown as { p2pSite?: { engine: { liveStats?: { fromOrigin: number } } } }).p2pSite?.engine.liveStats?.fromOrigin ?? 0) > 0, undefined, { timeout: 60_000 });
  expect(await connectionsMade(b.page)).toEqual({ rtc: [], announce: [] });
  const bReleased = bFrame.release();
  await b.page.waitForSelector('#title', { timeout: 90_000 });
  await b.page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
  await expect(b.page.locator('#title')).toHaveText('shared-late');

  const made = await connectionsMade(b.page);
  expect(made.announce.length).toBeGreaterThan(0);
  expect(made.rtc.length).toBeGreaterThan(0);
  expect(Math.min(...made.announce, ...made.rtc)).toBeGreaterThanOrEqual(bReleased);
  expect(bSockets.every((t) => t >= bReleased)).toBe(true);
  // Both sources served the first visit, and what came from the origin was not fetched
  // again from peers: the transfer moved to the peers with the pieces it had.
  const usage = (await siteRecord(b.page, manifest.address))!;
  console.log(`late answer: ${usage.bytesFromOrigin} bytes from the origin before it, ${usage.bytesFromPeers} from peers after it, of ${size}`);
  expect(usage.bytesFromOrigin).toBeGreaterThan(0);
  expect(usage.bytesFromPeers).toBeGreaterThan(0);
  expect(usage.bytesFromOrigin + usage.bytesFromPeers).toBeLessThan(size * 1.05);
  expect(a.errors()).toEqual([]);
  expect(b.errors()).toEqual([]);
  await b.context.close();
  await a.context.close();
});

test('the settings frame fails to load: with no copy the page stays origin only and the visit completes; with a copy allowing peers, that copy applies once the frame is known to have failed', async ({ browser }) => {
  test.setTimeout(120_000);
  const manifest: Manifest = (await publish(ts.url, bigSite(200_000, 'frame-down'), await generateKeyPair(), 1)).manifest;
  const v = await newVisitor(browser, [/Failed to load resource/]);
  await recordConnections(v.context);
  // As when the server is down for that page: the frame's document is an error page.
  const breakFrame = () => v.context.route('**/__p2p/settings.html', (route) => route.abort('connectionrefused'));
  await breakFrame();
  await openSite(v.page, ts.siteUrl(manifest.address));
  await expect(v.page.locator('#title')).toHaveText('frame-down');
  await expect.poll(async () => (await engineState(v.page)).sharing).toMatchObject({ usePeers: false, reason: 'origin-only' });
  expect(await connectionsMade(v.page)).toEqual({ rtc: [], announce: [] });

  // The frame works again: its answer (download only: peers, no uploads) becomes the site's copy.
  await v.context.unroute('**/__p2p/settings.html');
  const app = await v.context.newPage();
  await app.goto(`${ts.appUrl}#settings`);
  await app.getByLabel('How this browser takes part').selectOption('download-only');
  await expect(app.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await app.close();
  // The page's frame is still the error page, which hears nothing: a new page load asks again.
  await v.page.reload();
  await expect.poll(async () => (await engineState(v.page)).sharing).toMatchObject({ usePeers: true, reason: 'download-only' });

  // Broken again: the copy applies, but only once the frame is known to have failed.
  await breakFrame();
  await v.page.evaluate(() => sessionStorage.clear());
  const reloadedAt = Date.now();
  await v.page.reload();
  await expect(v.page.locator('#title')).toHaveText('frame-down');
  await expect.poll(async () => (await engineState(v.page)).sharing).toMatchObject({ usePeers: true, reason: 'download-only' });
  await expect.poll(async () => (await connectionsMade(v.page, reloadedAt)).announce.length).toBeGreaterThan(0);
  const made = await connectionsMade(v.page, reloadedAt);
  expect(Math.min(...made.announce, ...made.rtc)).toBeGreaterThanOrEqual(reloadedAt + FRAME_READY_MS);
  expect(v.errors()).toEqual([]);
  await v.context.close();
});

/** A plain static host page that embeds the loader for two images of a bundle. */
async function startHost(address: string, assets: Record<string, Uint8Array>): Promise<{ url: string; server: Server }> {
  const page = utf8(`<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Host</title></head><body>
<img id="one" data-p2p-src="img/one.svg" alt="one" width="40" height="30">
<img id="two" data-p2p-src="img/two.svg" alt="two" width="40" height="30">
<script src="http://localhost:${ts.port}/loader.js" data-site="${address}" async></script>
</body></html>`);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
    const body = path === 'index.html' ? page : assets[path];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': path === 'index.html' ? 'text/html' : 'image/svg+xml', 'Cache-Control': 'no-store' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

test('the embed loader with "origin only" and its frame answering late: no tracker socket, no RTCPeerConnection, and every image shows', async ({ browser }) => {
  const svg = (color: string) => utf8(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="${color}"/></svg>`);
  const assets = { 'img/one.svg': svg('tomato'), 'img/two.svg': svg('teal') };
  const bundle = await publish(ts.url, Object.entries(assets).map(([path, bytes]) => ({ path, bytes })), await generateKeyPair(), 1, undefined, 'img/one.svg');
  const host = await startHost(bundle.manifest.address, assets);
  try {
    // A seeder is online, so a loader that used peers would connect to it.
    const seeder = await newVisitor(browser, [/WebSocket/]);
    await seeder.page.goto(host.url);
    const shown = async (p: Page) => {
      for (const id of ['one', 'two']) await expect.poll(() => p.locator(`#${id}`).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 20_000 }).toBe(40);
    };
    await shown(seeder.page);

    const context = await browser.newContext({ storageState: await originOnlyState(browser) });
    await recordConnections(context);
    const frame = await holdSettingsFrame(context, '/__p2p/loader-frame.html');
    const page = await context.newPage();
    const errors = watchErrors(page);
    const sockets = watchTrackerSockets(page);
    await page.goto(host.url);
    await shown(page);
    await expect(page.locator('#one')).toHaveAttribute('src', /^blob:/);
    expect(frame.held()).toBe(1);
    frame.release();
    const stats = () => page.evaluate(() => (window as unknown as { p2p: { stats(): Promise<{ usePeers: boolean; files: Record<string, string> } | undefined> } }).p2p.stats());
    // The answer arrives and keeps the loader without peers.
    await expect.poll(async () => (await stats())?.usePeers).toBe(false);
    expect(Object.values((await stats())!.files)).toEqual(['host', 'host']);
    expect(await connectionsMade(page)).toEqual({ rtc: [], announce: [] });
    expect(sockets).toEqual([]);
    expect(errors()).toEqual([]);
    expect(seeder.errors()).toEqual([]);
    await context.close();
    await seeder.context.close();
  } finally {
    host.server.close();
  }
});
