import { expect, test, type Browser, type BrowserContext, type Page, type Route } from '@playwright/test';
import { generateKeyPair, utf8, type Manifest } from '../src/core/index.js';
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
    const note = (key: string, entry: unknown) => {
      const list = JSON.parse(sessionStorage.getItem(key) ?? '[]') as unknown[];
      sessionStorage.setItem(key, JSON.stringify([...list, entry]));
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
async function connectionsMade(page: Page): Promise<{ rtc: number[]; announce: number[] }> {
  return page.evaluate(() => ({
    rtc: JSON.parse(sessionStorage.getItem('test-rtc') ?? '[]') as number[],
    announce: JSON.parse(sessionStorage.getItem('test-announce') ?? '[]') as number[],
  }));
}

/**
 * Holds every load of the settings frame (`/__p2p/settings.html`) until `release()`:
 * the frame answers as late as the test wants. Later loads pass at once.
 */
async function holdSettingsFrame(context: BrowserContext): Promise<{ release(): number; held(): number }> {
  let releasedAt = 0;
  let count = 0;
  const waiting: Route[] = [];
  await context.route('**/__p2p/settings.html', (route) => {
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
