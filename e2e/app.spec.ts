import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { newVisitor, startTestServer, type TestServer } from './helpers/harness.js';

test.describe.configure({ mode: 'serial' });

let ts: TestServer;
let app: string;
const shots = 'e2e/screenshots';
test.beforeAll(async () => {
  ts = await startTestServer();
  app = `http://localhost:${ts.port}/`;
});
test.afterAll(async () => {
  await ts?.stop();
});

/** Drops a folder onto the drop zone: a real DataTransfer with files in subfolders. */
async function dropFolder(page: Page, files: Record<string, string>): Promise<void> {
  const zone = page.getByRole('region', { name: /Drop a folder/ });
  const handle = await page.evaluateHandle((entries) => {
    const transfer = new DataTransfer();
    for (const [path, text] of Object.entries(entries)) {
      const file = new File([text], path.split('/').pop()!, { type: '' });
      // What browsers set for files picked from a folder: the path below the dropped folder.
      Object.defineProperty(file, 'webkitRelativePath', { value: path });
      transfer.items.add(file);
    }
    return transfer;
  }, files);
  for (const type of ['dragenter', 'dragover', 'drop']) await zone.dispatchEvent(type, { dataTransfer: handle });
}

const SITE = {
  'my-site/index.html': '<!doctype html><title>Dropped</title><link rel="icon" href="data:,"><link rel="stylesheet" href="css/s.css"><h1 id="title">Dropped and published</h1><a href="docs/guide.html">guide</a>',
  'my-site/css/s.css': 'h1 { color: rgb(0, 128, 0) }',
  'my-site/docs/guide.html': '<!doctype html><title>Guide</title><link rel="icon" href="data:,"><h1 id="guide">Guide</h1>',
  'my-site/.DS_Store': 'junk',
};

test('publish by drag-and-drop, another visitor opens it, then an update shows its diff', async ({ browser }) => {
  const publisher = await newVisitor(browser, [/WebSocket/]);
  const page = publisher.page;
  await page.goto(app);
  await page.screenshot({ path: `${shots}/app-empty.png`, fullPage: true });
  await dropFolder(page, SITE);
  await expect(page.getByRole('tree', { name: 'Files to publish' })).toContainText('guide.html');
  await expect(page.locator('[data-code="W_HIDDEN_SKIPPED"]')).toBeVisible();
  await expect(page.getByText('3 files')).toBeVisible();
  await page.screenshot({ path: `${shots}/app-dropped.png`, fullPage: true });
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const done = page.getByRole('status').filter({ hasText: 'Published version 1' });
  await expect(done).toBeVisible({ timeout: 30_000 });
  const url = (await page.locator('[data-field="url"]').textContent())!;
  const address = (await page.locator('[data-field="address"]').textContent())!;
  await page.screenshot({ path: `${shots}/app-published.png`, fullPage: true });

  const visitor = await newVisitor(browser);
  await visitor.page.goto(url);
  await expect(visitor.page.locator('#title')).toHaveText('Dropped and published', { timeout: 60_000 });
  await expect(visitor.page.locator('#title')).toHaveCSS('color', 'rgb(0, 128, 0)');
  await visitor.context.close();

  // Update: drop a changed folder on the same site; the diff shows, then version 2.
  await dropFolder(page, { ...SITE, 'my-site/index.html': SITE['my-site/index.html'].replace('Dropped and published', 'Second version!'), 'my-site/new.txt': 'new' });
  await page.getByLabel('Publish as').selectOption(address);
  const diff = page.getByRole('region', { name: 'Changes' });
  await expect(diff).toContainText('added new.txt');
  await expect(diff).toContainText('modified index.html');
  await page.screenshot({ path: `${shots}/app-update.png`, fullPage: true });
  await page.getByRole('button', { name: 'Publish new version' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Published version 2' })).toBeVisible({ timeout: 30_000 });
  await page.setViewportSize({ width: 375, height: 812 });
  await page.screenshot({ path: `${shots}/app-phone.png`, fullPage: true });
  expect(publisher.errors()).toEqual([]);
  await publisher.context.close();
});

test('export a key, clear storage, import it with its passphrase, publish the next version', async ({ browser }) => {
  const first = await newVisitor(browser, [/WebSocket/]);
  await first.page.goto(app);
  await dropFolder(first.page, { 'site/index.html': '<h1>keyed</h1>' });
  await first.page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(first.page.getByRole('status').filter({ hasText: 'Published version 1' })).toBeVisible({ timeout: 30_000 });
  const address = (await first.page.locator('[data-field="address"]').textContent())!;
  await first.page.getByLabel(/Passphrase/).fill('open sesame');
  const downloading = first.page.waitForEvent('download');
  await first.page.locator(`li[data-address="${address}"] [data-action="export"]`).click();
  const keyPath = await (await downloading).path();
  const keyText = await readFile(keyPath, 'utf8');
  expect(keyText).not.toContain('secretKey');
  await first.context.close();

  // A new context has empty storage: import the key, first with a wrong passphrase.
  const second = await newVisitor(browser, [/WebSocket/]);
  await second.page.goto(app);
  await expect(second.page.getByText('No sites yet')).toBeVisible();
  await second.page.getByLabel(/Passphrase/).fill('wrong');
  await second.page.locator('input[name="import"]').setInputFiles({ name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(keyText) });
  await expect(second.page.getByRole('alert')).toContainText('passphrase does not open');
  await second.page.getByLabel(/Passphrase/).fill('open sesame');
  await second.page.locator('input[name="import"]').setInputFiles({ name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(keyText) });
  await expect(second.page.getByRole('status').filter({ hasText: 'imported' })).toBeVisible();
  await dropFolder(second.page, { 'site/index.html': '<h1>keyed, version two</h1>' });
  await second.page.getByLabel('Publish as').selectOption(address);
  await second.page.getByRole('button', { name: 'Publish new version' }).click();
  await expect(second.page.getByRole('status').filter({ hasText: 'Published version 2' })).toBeVisible({ timeout: 30_000 });
  expect(second.errors()).toEqual([]);
  await second.context.close();
});

test('error states say what to do: empty drop, oversized file, server down', async ({ browser }) => {
  const { context, page, errors } = await newVisitor(browser, [/ERR_CONNECTION_REFUSED|Failed to load resource/]);
  await page.goto(app);
  await dropFolder(page, { 'x/.hidden': 'only hidden' });
  await expect(page.locator('[data-code="E_EMPTY"]')).toContainText('Nothing to publish');
  await expect(page.getByRole('button', { name: 'Publish', exact: true })).toBeDisabled();
  await page.screenshot({ path: `${shots}/app-empty-drop.png`, fullPage: true });

  // A file over the per-file limit (512 MiB) is refused before anything is read.
  await page.evaluate(() => {
    const el = document.querySelector('p2p-app')!.shadowRoot!.querySelector('p2p-publish') as unknown as { take(p: Promise<unknown>): Promise<void> };
    return el.take(Promise.resolve([{ path: 'index.html', size: 10 }, { path: 'huge.iso', size: 600 * 1024 * 1024 }]));
  });
  await expect(page.locator('[data-code="E_FILE_TOO_LARGE"]')).toContainText('huge.iso');

  await dropFolder(page, { 'site/index.html': '<h1>never published</h1>' });
  await ts.server.close();
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('server cannot be reached');
  await page.screenshot({ path: `${shots}/app-server-down.png`, fullPage: true });
  expect(errors()).toEqual([]);
  await context.close();
});
