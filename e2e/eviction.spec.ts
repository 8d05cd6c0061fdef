import { expect, test, type Page } from '@playwright/test';
import { generateKeyPair, utf8 } from '../src/core/index.js';
import { newVisitor, openSite, publish, startTestServer, waitForPhase, type TestServer } from './helpers/harness.js';
import { visitRecord } from './helpers/visit-record.js';

/**
 * The cache quota across sites: with room for less than two sites, opening a third
 * evicts the least recently visited unpinned site, keeps the pinned one, and never
 * touches a site open in a tab.
 */
let ts: TestServer;
test.beforeAll(async () => {
  ts = await startTestServer();
});
test.afterAll(async () => {
  await ts?.stop();
});

/** A site of about 0.6 MB: three of them never fit a 1 MB cache, one does. */
async function publishSite(label: string): Promise<string> {
  const payload = new Uint8Array(600_000);
  crypto.getRandomValues(payload.subarray(0, 65_536));
  for (let i = 65_536; i < payload.length; i++) payload[i] = payload[i % 65_536] ^ (i >>> 16);
  const files = [
    { path: 'index.html', bytes: utf8(`<!doctype html><title>${label}</title><link rel="icon" href="data:,"><h1 id="title">${label}</h1>`) },
    { path: 'payload.bin', bytes: payload },
  ];
  const bundle = await publish(ts.url, files, await generateKeyPair(), 1);
  return bundle.manifest.address;
}

/** What a site's origin holds in its cache, read by a plain page of that origin. */
async function cacheOf(page: Page, address: string): Promise<{ blobs: number; current: boolean; highestSeq: number; pinned: boolean }> {
  await page.goto(ts.siteUrl(address, '/__p2p/manage.html'));
  return page.evaluate(async (addr) => {
    const open = (name: string) => new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const ask = <T>(req: IDBRequest<T>) => new Promise<T>((resolve) => (req.onsuccess = () => resolve(req.result)));
    const blobs = await ask((await open('p2p-blobs')).transaction('blobs').objectStore('blobs').count());
    const record = (await ask((await open('p2p-sites')).transaction('sites').objectStore('sites').get(addr))) as { current?: unknown; highestSeq: number; pinned: boolean } | undefined;
    return { blobs, current: Boolean(record?.current), highestSeq: record?.highestSeq ?? -1, pinned: record?.pinned ?? false };
  }, address);
}

test('a quota smaller than two sites: the third visit evicts the least recently used unpinned site and keeps the pinned one', async ({ browser }) => {
  test.setTimeout(120_000);
  const [pinned, older, newest] = [await publishSite('Pinned'), await publishSite('Older'), await publishSite('Newest')];
  const visitor = await newVisitor(browser);
  const app = await visitor.context.newPage();

  await app.goto(`${ts.appUrl}#settings`);
  const quota = app.getByRole('spinbutton', { name: /Cache for sites/ });
  await quota.fill('1');
  await quota.press('Tab');
  await expect(app.getByText('Saved. Open sites apply it at once.')).toBeVisible();

  const site = visitor.page;
  await openSite(site, ts.siteUrl(pinned));
  await waitForPhase(site, 'ready');

  // Pin it from "My sites": the app reaches the site's cache through a hidden frame.
  await app.goto(`${ts.appUrl}#sites`);
  const pinnedCard = app.locator(`li[data-address="${pinned}"]`);
  await pinnedCard.getByRole('button', { name: 'Pin' }).click();
  await expect(pinnedCard.locator('.badge', { hasText: 'Pinned' })).toBeVisible();

  // Two sites (1.2 MB) exceed the quota, but one is pinned and the other is open: both stay.
  await openSite(site, ts.siteUrl(older));
  await waitForPhase(site, 'ready');
  // Its visit is kept by the app (with its size), so the next quota pass counts it.
  await expect.poll(async () => (await visitRecord(app, older))?.size ?? 0).toBeGreaterThan(0);

  // The third site: the older unpinned one makes room.
  await openSite(site, ts.siteUrl(newest));
  await waitForPhase(site, 'ready');
  await app.reload();
  await expect(app.locator(`li[data-address="${older}"] [data-state="evicted"]`)).toBeVisible({ timeout: 20_000 });
  await expect(app.locator(`li[data-address="${pinned}"]`).locator('.badge', { hasText: 'Pinned' })).toBeVisible();
  await expect(app.getByRole('spinbutton', { name: /Cache for sites/ })).toHaveCount(0); // still on My sites
  await app.screenshot({ path: 'e2e/screenshots/app-evicted-desktop.png', fullPage: true });
  await site.close();

  // What each origin really holds now.
  const reader = await visitor.context.newPage();
  const evicted = await cacheOf(reader, older);
  expect(evicted).toEqual({ blobs: 0, current: false, highestSeq: 1, pinned: false }); // the rollback guard stays
  const kept = await cacheOf(reader, pinned);
  expect(kept.blobs).toBe(2);
  expect(kept.current && kept.pinned).toBe(true);
  expect((await cacheOf(reader, newest)).blobs).toBe(2);

  // The evicted site opens again, from the origin seed, and is cached again.
  await openSite(reader, ts.siteUrl(older));
  await waitForPhase(reader, 'ready');
  await expect(reader.locator('#title')).toHaveText('Older');
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
});
