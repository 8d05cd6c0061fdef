import { expect, test } from '@playwright/test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../signaling/server.js';
import { utf8, type KeyPair, type Manifest } from '../src/core/index.js';
import { engineState, newVisitor, openSite, originBytes, publishFixture, startTestServer, waitForPhase, type TestServer } from './helpers/harness.js';

// One server and one published site shared by the tests of this file, in order: later
// tests build on visitors and versions of earlier ones, as real visits would.
test.describe.configure({ mode: 'serial' });

let ts: TestServer;
let key: KeyPair;
let v1: Manifest;
const screenshots = 'e2e/screenshots';

test.beforeAll(async () => {
  ts = await startTestServer();
  const published = await publishFixture(ts.url, 1);
  key = published.key;
  v1 = published.bundle.manifest;
});

test.afterAll(async () => {
  await ts?.stop();
});

test('first visitor, no peers: the site loads from the origin seed with CSS, JS, images, a deep link and a reload', async ({ browser }) => {
  const { context, page, errors } = await newVisitor(browser);
  await page.goto(ts.siteUrl(v1.address));
  // The boot page shows progress, then the service worker serves the site itself.
  await expect(page.locator('#title')).toHaveText('Hello from the swarm', { timeout: 60_000 });
  await expect(page.locator('#js-status')).toHaveText('JavaScript ran');
  await expect(page.locator('#title')).toHaveCSS('color', 'rgb(102, 51, 153)');
  expect(await page.locator('#logo').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(64);
  await page.screenshot({ path: `${screenshots}/visit-site.png` });

  await page.click('#post-link');
  await expect(page.locator('#post-title')).toHaveText('A post deep in the site');
  await page.reload();
  await expect(page.locator('#post-title')).toHaveText('A post deep in the site');
  await page.click('#home-link');
  await expect(page.locator('#title')).toBeVisible();
  await page.goBack();
  await expect(page.locator('#post-title')).toBeVisible();

  // A deep link typed into the address bar of a fresh visitor, and an unknown path.
  const other = await newVisitor(browser, [/status of 404/]);
  await other.page.goto(ts.siteUrl(v1.address, '/blog/post.html'));
  await expect(other.page.locator('#post-title')).toHaveText('A post deep in the site', { timeout: 60_000 });
  const missing = await other.page.goto(ts.siteUrl(v1.address, '/no/such/page'));
  expect(missing?.status()).toBe(404);
  await expect(other.page.locator('#not-found')).toBeVisible();

  const state = await engineState(page);
  expect(state.manifest?.seq).toBe(1);
  expect(errors()).toEqual([]);
  expect(other.errors()).toEqual([]);
  await other.context.close();
  await context.close();
});

/** Restarts the server on the same port and data folder, as an operator would with other flags. */
async function restartServer(origin: boolean): Promise<void> {
  await ts.server.close();
  ts.server = await startServer({ host: '127.0.0.1', port: ts.port, dataDir: ts.dataDir, distDir: process.env.P2P_DIST ?? 'dist', origin, log: () => {} });
}

test('second visitor with the server started with --no-origin: the site comes from the first visitor over WebRTC', async ({ browser }) => {
  const seeder = await newVisitor(browser, [/WebSocket/]);
  await openSite(seeder.page, ts.siteUrl(v1.address));
  await waitForPhase(seeder.page, 'ready');

  await restartServer(false);
  // The first visitor still has the site open; its page reconnects to the restarted tracker.
  await seeder.page.reload();
  await waitForPhase(seeder.page, 'ready');
  expect(await originBytes(ts.url, v1.address)).toBe(0);

  // Until peers are allowed (the settings frame answered) the visitor starts on the origin
  // seed, which this server refuses with 503: the browser logs that refused request.
  const visitor = await newVisitor(browser, [/Failed to load resource.*503/]);
  await visitor.page.goto(ts.siteUrl(v1.address));
  await expect(visitor.page.locator('#title')).toHaveText('Hello from the swarm', { timeout: 60_000 });
  await expect(visitor.page.locator('#js-status')).toHaveText('JavaScript ran');
  expect(await visitor.page.locator('#logo').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);

  // Not one byte from the origin seed, and the first visitor uploaded the whole site.
  expect(await originBytes(ts.url, v1.address)).toBe(0);
  const total = v1.files.reduce((n, f) => n + f.size, 0);
  await expect.poll(async () => (await engineState(seeder.page)).stats?.uploaded ?? 0).toBeGreaterThanOrEqual(total);

  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
  await seeder.context.close();
  await restartServer(true);
});

test('offline: a visitor who loaded the site reloads it with the network cut and sees it', async ({ browser }) => {
  const { context, page, errors } = await newVisitor(browser, [/ERR_INTERNET_DISCONNECTED|WebSocket|Failed to fetch|net::/]);
  await openSite(page, ts.siteUrl(v1.address));
  await waitForPhase(page, 'ready');
  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('#title')).toHaveText('Hello from the swarm');
  await expect(page.locator('#title')).toHaveCSS('color', 'rgb(102, 51, 153)');
  await page.click('#post-link');
  await expect(page.locator('#post-title')).toBeVisible();
  // The visitor is told, discreetly, which version is shown.
  await expect(page.locator('p2p-site-status [data-p2p="offline"]')).toContainText('version 1');
  await page.screenshot({ path: `${screenshots}/visit-offline.png` });
  expect(errors()).toEqual([]);
  await context.close();
});

test('update: a returning visitor gets seq 2, and a server offering seq 1 again does not bring it back', async ({ browser }) => {
  const { context, page, errors } = await newVisitor(browser);
  await openSite(page, ts.siteUrl(v1.address));
  await waitForPhase(page, 'ready');

  const { bundle } = await publishFixture(ts.url, 2, key, (files) => {
    const index = files.find((f) => f.path === 'index.html')!;
    index.bytes = utf8(new TextDecoder().decode(index.bytes).replace('Hello from the swarm', 'Version two is here'));
  });
  const v2 = bundle.manifest;

  // The returning visitor first sees the cached version, then is offered the new one.
  await page.reload();
  await expect(page.locator('#title')).toHaveText('Hello from the swarm');
  const banner = page.locator('p2p-site-status [data-p2p="update"]');
  await expect(banner).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${screenshots}/visit-update.png` });
  await banner.locator('button', { hasText: 'Reload' }).click();
  await expect(page.locator('#title')).toHaveText('Version two is here');
  // Unchanged files were not downloaded again: only index.html changed.
  expect(v2.files.filter((f) => !v1.files.some((o) => o.sha256 === f.sha256)).map((f) => f.path)).toEqual(['index.html']);

  // A rolled-back or compromised server offers seq 1 again: it is refused.
  await context.route(`**/api/sites/${v1.address}`, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(v1) }));
  await page.reload();
  await waitForPhase(page, 'ready');
  await expect(page.locator('#title')).toHaveText('Version two is here');
  expect((await engineState(page)).manifest?.seq).toBe(2);
  expect(errors()).toEqual([]);
  await context.close();
});

test('a forged manifest and corrupted origin bytes are ignored; the site still loads correctly', async ({ browser }) => {
  const current = (await (await fetch(`${ts.url}/api/sites/${v1.address}`)).json()) as Manifest;
  // A peer that has the site, so there is an honest source besides the origin.
  const seeder = await newVisitor(browser);
  await openSite(seeder.page, ts.siteUrl(v1.address), '#title');
  await waitForPhase(seeder.page, 'ready');

  const { context, page, errors } = await newVisitor(browser, [/Failed to load resource/]);
  // The server (or someone in between) hands out a manifest with a forged higher seq...
  const forged = { ...current, seq: current.seq + 100 };
  await context.route(`**/api/sites/${v1.address}`, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(forged) }));
  // ...and the origin seed's bytes are corrupted on the way.
  await context.route('**/seed/**', async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    for (let i = 0; i < body.length; i += 97) body[i] ^= 0xff;
    await route.fulfill({ response, body });
  });
  await page.goto(ts.siteUrl(v1.address));
  // The forged manifest fails its signature check and is dropped; the honest manifest
  // arrives from the peer over the discovery swarm, and pieces come from the peer
  // (corrupted origin pieces fail their hash and are fetched again elsewhere).
  await expect(page.locator('#title')).toHaveText('Version two is here', { timeout: 60_000 });
  await expect(page.locator('#js-status')).toHaveText('JavaScript ran');
  expect(errors()).toEqual([]);
  await context.close();
  await seeder.context.close();
});

test('site content cannot read the app origin storage or another site', async ({ browser }) => {
  const other = await publishFixture(ts.url, 1);
  const { context, page } = await newVisitor(browser);
  // The app stores something on its own origin; the visitor then opens two sites.
  await page.goto(`${ts.url}/`);
  await page.evaluate(async () => {
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('p2p-keys', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('keys');
      req.onsuccess = () => {
        const tx = req.result.transaction('keys', 'readwrite');
        tx.objectStore('keys').put('secret', 'k');
        tx.oncomplete = () => resolve();
      };
      req.onerror = () => reject(req.error);
    });
  });
  await openSite(page, ts.siteUrl(other.bundle.manifest.address));
  await openSite(page, ts.siteUrl(v1.address));
  const seen = await page.evaluate(async (otherAddress) => {
    const dbs = (await indexedDB.databases()).map((d) => d.name);
    const sites: string[] = await new Promise((resolve) => {
      const req = indexedDB.open('p2p-sites');
      req.onsuccess = () => {
        const all = req.result.transaction('sites').objectStore('sites').getAllKeys();
        all.onsuccess = () => resolve(all.result as string[]);
      };
    });
    let appReadable = 'blocked';
    const frame = document.createElement('iframe');
    frame.src = `${location.protocol}//${location.host.split('.').slice(1).join('.')}/`;
    document.body.append(frame);
    await new Promise((r) => (frame.onload = r));
    try {
      appReadable = typeof (frame.contentWindow as Window).indexedDB;
    } catch {
      appReadable = 'blocked';
    }
    return { dbs, sites, appReadable, hasOther: sites.includes(otherAddress) };
  }, other.bundle.manifest.address);
  expect(seen.dbs).not.toContain('p2p-keys');
  expect(seen.sites).toEqual([v1.address]);
  expect(seen.hasOther).toBe(false);
  expect(seen.appReadable).toBe('blocked');
  await context.close();
});

test('a site on the server denylist is refused with a clear notice', async ({ browser }) => {
  const blocked = await publishFixture(ts.url, 1);
  await writeFile(join(ts.dataDir, 'denylist.txt'), `# blocked by the operator\n${blocked.bundle.manifest.address}\n`);
  await expect.poll(async () => (await fetch(`${ts.url}/api/sites/${blocked.bundle.manifest.address}`)).status, { timeout: 10_000 }).toBe(451);
  const { context, page, errors } = await newVisitor(browser, [/status of 451/]);
  await page.goto(ts.siteUrl(blocked.bundle.manifest.address));
  await expect(page.getByRole('alert')).toContainText('not available here');
  await page.screenshot({ path: `${screenshots}/visit-denied.png` });
  expect(errors()).toEqual([]);
  await context.close();
});

test('a one-file site loads from the origin seed (single-file webseed form)', async ({ browser }) => {
  const { bundle } = await publishFixture(ts.url, 1, undefined, (files) => files.splice(0, files.length, { path: 'index.html', bytes: utf8('<!doctype html><link rel="icon" href="data:,"><h1 id="title">Just one page</h1>') }));
  const { context, page, errors } = await newVisitor(browser);
  await page.goto(ts.siteUrl(bundle.manifest.address));
  await expect(page.locator('#title')).toHaveText('Just one page', { timeout: 60_000 });
  expect(errors()).toEqual([]);
  await context.close();
});
