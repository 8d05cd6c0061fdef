import { expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../signaling/server.js';
import { dropFolder } from './helpers/drop-folder.js';
import { newVisitor, startTestServer } from './helpers/harness.js';

// The app states this server as it is: its limits in the docs' units, no origin seed
// claimed where there is none, a refusal with the server's code and message, and each
// site named by its title beside its short address.
let server: RunningServer;
let dataDir: string;
let app: string;
test.beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'p2p-e2e-facts-'));
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    distDir: process.env.P2P_DIST ?? 'dist',
    origin: false,
    limits: { maxBlobBytes: 64 * 1024, publishesPerMinute: 1 },
    log: () => {},
  });
  app = `http://p2p.localhost:${server.port}/`;
});
test.afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('limits, features, refusals and titles as this server has them', async ({ browser }) => {
  // The server's refusal of the second publish is a 429 the console reports.
  const { context, page, errors } = await newVisitor(browser, [/WebSocket/, /status of 429/]);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app);
  await expect(page.locator('[data-field="limits"]')).toHaveText('Up to 10,000 files, 64 KiB a file and 512 MiB in all. Hidden files are left out.');

  // The server's per-file limit is checked before anything is read, and named.
  await dropFolder(page, { 'site/index.html': '<title>x</title>', 'site/big.bin': 'x'.repeat(100 * 1024) });
  await expect(page.locator('[data-code="E_FILE_TOO_LARGE"]')).toHaveText('"big.bin" is larger than the limit of 64 KiB a file. Leave it out or make it smaller.');
  await expect(page.getByRole('heading', { name: '2 files, 100 KiB' })).toBeVisible();

  await dropFolder(page, { 'site/index.html': '<!doctype html><title>  Tom &amp; Jerry\n</title><h1>hi</h1>' });
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const done = page.getByRole('status').filter({ hasText: 'Published version 1' });
  await expect(done).toBeVisible({ timeout: 30_000 });
  // No origin seed here: the app does not say it keeps a copy.
  await expect(done.locator('[data-field="who-serves"]')).not.toContainText('origin seed');
  await expect(done.locator('[data-field="who-serves"]')).toContainText('does not serve sites’ files itself');
  const address = (await page.locator('[data-field="address"]').textContent())!;

  // Titles beside the short address: in Keys, in My sites, and in the list of targets.
  await page.getByRole('link', { name: 'Keys' }).click();
  const key = page.locator(`p2p-keys li[data-address="${address}"]`);
  await expect(key.locator('[data-field="title"]')).toHaveText('Tom & Jerry');
  await expect(key).toContainText(`${address.slice(0, 8)}…${address.slice(-6)}`);
  await page.getByRole('link', { name: 'My sites' }).click();
  const mine = page.locator(`li[data-kind="published"][data-address="${address}"]`);
  await expect(mine.locator('[data-field="title"]')).toHaveText('Tom & Jerry');
  await expect(mine).toContainText(`${address.slice(0, 8)}…${address.slice(-6)}`);

  // A second publish within the minute: the server's own code and message are shown.
  await page.getByRole('link', { name: 'Publish' }).click();
  await dropFolder(page, { 'site/index.html': '<!doctype html><title>Tom &amp; Jerry</title><h1>two</h1>' });
  await expect(page.getByLabel('Publish as').locator(`option[value="${address}"]`)).toHaveText(`New version of “Tom & Jerry” (${address.slice(0, 8)}…${address.slice(-6)})`);
  await page.getByRole('button', { name: 'Publish new version' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Too many publishes in a short time');
  await expect(alert).toContainText('E_RATE_LIMITED: too many publishes from this address');
  await expect(alert).not.toContainText('Something went wrong');
  expect(errors()).toEqual([]);
  await context.close();
});

test('on a server with an origin seed: the default limits in MiB, the copy it keeps, the title in the lists', async ({ browser }) => {
  const ts = await startTestServer();
  const { context, page, errors } = await newVisitor(browser, [/WebSocket/]);
  try {
    await page.goto(ts.appUrl);
    // The limits in the docs' units (512 MiB, not "537 MB").
    await expect(page.locator('[data-field="limits"]')).toHaveText('Up to 10,000 files, 512 MiB a file and 512 MiB in all. Hidden files are left out.');
    await dropFolder(page, { 'site/index.html': '<!doctype html><title>Dropped</title><h1>hi</h1>', 'site/a.css': 'h1 {}' });
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const done = page.getByRole('status').filter({ hasText: 'Published version 1' });
    await expect(done).toBeVisible({ timeout: 30_000 });
    await expect(done.locator('[data-field="who-serves"]')).toContainText('the origin seed keeps a copy');
    const address = (await page.locator('[data-field="address"]').textContent())!;
    await page.getByRole('link', { name: 'My sites' }).click();
    await expect(page.locator(`li[data-kind="published"][data-address="${address}"] [data-field="title"]`)).toHaveText('Dropped');
    expect(errors()).toEqual([]);
  } finally {
    await context.close();
    await ts.stop();
  }
});
