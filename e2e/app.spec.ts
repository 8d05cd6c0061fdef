import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { newVisitor, openSite, publishFixture, startTestServer, type TestServer } from './helpers/harness.js';
import { dropFolder } from './helpers/drop-folder.js';
import { visitRecord } from './helpers/visit-record.js';

test.describe.configure({ mode: 'serial' });

let ts: TestServer;
let app: string;
const shots = 'e2e/screenshots';
test.beforeAll(async () => {
  ts = await startTestServer();
  app = ts.appUrl;
});
test.afterAll(async () => {
  await ts?.stop();
});

/** Saves the page at desktop (1280x800) and phone (375x812) widths, then restores desktop. */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.setViewportSize({ width: 375, height: 812 });
  await page.screenshot({ path: `${shots}/${name}-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `${shots}/${name}-desktop.png`, fullPage: true });
}

/** The site's cache record, read on its own origin (the page must be on the site). */
function siteRecord(page: Page, address: string): Promise<{ pinned?: boolean; current?: unknown } | undefined> {
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

async function go(page: Page, view: 'publish' | 'sites' | 'keys' | 'settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: { publish: 'Publish', sites: 'My sites', keys: 'Keys', settings: 'Settings' }[view] }).click();
  await expect(page).toHaveURL(new RegExp(`#${view}$`));
}

const SITE = {
  'my-site/index.html':
    '<!doctype html><title>Dropped</title><link rel="icon" href="data:,"><link rel="stylesheet" href="css/s.css"><h1 id="title">Dropped and published</h1><p>A site made of a folder.</p><a href="docs/guide.html">guide</a>',
  'my-site/css/s.css': 'body { font-family: system-ui; margin: 2rem } h1 { color: rgb(0, 128, 0) }',
  'my-site/docs/guide.html': '<!doctype html><title>Guide</title><link rel="icon" href="data:,"><h1 id="guide">Guide</h1>',
  'my-site/docs/img/dot.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><circle cx="1" cy="1" r="1"/></svg>',
  'my-site/.DS_Store': 'junk',
};

test('publish by drag-and-drop, another visitor opens it, then an update shows its diff', async ({ browser }) => {
  const publisher = await newVisitor(browser, [/WebSocket/]);
  const page = publisher.page;
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app);
  await expect(page.getByRole('heading', { name: 'Publish a site' })).toBeVisible();
  await expect(page.getByRole('status', { name: /Not sharing/ })).toBeVisible();
  await shot(page, 'app-empty');

  await dropFolder(page, SITE);
  const tree = page.getByRole('tree', { name: 'Files to publish' });
  await expect(tree).toContainText('guide.html');
  await expect(tree).toContainText('img/');
  await expect(page.locator('[data-code="W_HIDDEN_SKIPPED"]')).toContainText('1 hidden file');
  await expect(page.getByRole('heading', { name: /^4 files/ })).toBeVisible();
  // The preview shows the start page with its stylesheet inlined.
  await expect(page.frameLocator('iframe[title="Preview of the start page"]').locator('h1')).toHaveCSS('color', 'rgb(0, 128, 0)');
  await shot(page, 'app-dropped');

  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const done = page.getByRole('status').filter({ hasText: 'Published version 1' });
  await expect(done).toBeVisible({ timeout: 30_000 });
  const url = (await page.locator('[data-field="url"]').textContent())!;
  const address = (await page.locator('[data-field="address"]').textContent())!;
  expect(url).toBe(ts.siteUrl(address));
  await expect(page.getByRole('img', { name: `QR code of ${url}` })).toBeVisible();
  await expect(page.getByRole('status', { name: /Sharing 1 site/ })).toBeVisible();
  await shot(page, 'app-published');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'app-published-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  const visitor = await newVisitor(browser);
  await visitor.page.goto(url);
  await expect(visitor.page.locator('#title')).toHaveText('Dropped and published', { timeout: 60_000 });
  await expect(visitor.page.locator('#title')).toHaveCSS('color', 'rgb(0, 128, 0)');
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();

  // The publisher's tab is one of the engines that split the visitor's caps: a page of the
  // site in the same browser, seeding too, counts two.
  const own = await publisher.context.newPage();
  await own.goto(url);
  await expect(own.locator('#title')).toHaveText('Dropped and published', { timeout: 60_000 });
  const seedingEngines = () => own.evaluate(() => (globalThis as unknown as { p2pSite?: { engine: { peers: { resources?: { activeEngines: number } } } } }).p2pSite?.engine.peers.resources?.activeEngines);
  await expect.poll(seedingEngines, { timeout: 20_000 }).toBe(2);
  await own.close();

  // My sites lists it as published and seeded from this tab.
  await go(page, 'sites');
  const mine = page.locator(`li[data-kind="published"][data-address="${address}"]`);
  await expect(mine).toContainText('Seeding from this tab');
  await expect(mine.locator('[data-field="seq"]')).toHaveText('1');
  await shot(page, 'app-my-sites');

  // Update: "Publish a new version" preselects the site; drop a changed folder; the diff shows.
  await mine.getByRole('button', { name: 'Publish a new version' }).click();
  await expect(page).toHaveURL(/#publish$/);
  await dropFolder(page, { ...SITE, 'my-site/index.html': SITE['my-site/index.html'].replace('Dropped and published', 'Second version!'), 'my-site/new.txt': 'new' });
  await expect(page.getByLabel('Publish as')).toHaveValue(address);
  const diff = page.getByRole('region', { name: 'Changes' });
  await expect(diff).toContainText('added new.txt');
  await expect(diff).toContainText('modified index.html');
  await expect(diff).toContainText('3 unchanged');
  await expect(diff).toContainText('version 2');
  await shot(page, 'app-update');
  await page.getByRole('button', { name: 'Publish new version' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Published version 2' })).toBeVisible({ timeout: 30_000 });
  expect((await (await fetch(`${ts.url}/api/sites/${address}`)).json()).seq).toBe(2);

  // "Stop sharing" holds for the publisher's own tab too: the next visitor gets the
  // site from the origin seed and not one byte from this tab.
  await go(page, 'settings');
  await page.getByRole('button', { name: 'Stop sharing' }).click();
  await go(page, 'sites');
  await expect(mine).toContainText('Not sharing now');
  const uploadedBefore = await mine.locator('[data-field="uploaded"]').textContent();
  const late = await newVisitor(browser);
  await late.page.goto(url);
  await expect(late.page.locator('#title')).toHaveText('Second version!', { timeout: 60_000 });
  expect(late.errors()).toEqual([]);
  await late.context.close();
  await expect(mine.locator('[data-field="uploaded"]')).toHaveText(uploadedBefore!);
  expect(publisher.errors()).toEqual([]);
  await publisher.context.close();
});

test('a site visited while the app was closed is listed when the app opens', async ({ browser }) => {
  const { bundle } = await publishFixture(ts.url);
  const address = bundle.manifest.address;
  const { context, page, errors } = await newVisitor(browser, [/WebSocket/]);
  await openSite(page, ts.siteUrl(address));
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as { p2pSite?: { engine: { state: { phase: string } } } }).p2pSite?.engine.state.phase)).toBe('ready');
  // One report from the page, kept by the app's frame in it (the app itself is closed).
  const hub = () => page.frames().find((f) => f.url().startsWith(new URL('/__p2p/settings.html', app).href));
  await expect.poll(async () => (await visitRecord(hub() ?? page.mainFrame(), address).catch(() => undefined))?.seq).toBe(1);
  await page.close();
  const appPage = await context.newPage();
  await appPage.goto(`${app}#sites`);
  const visited = appPage.locator(`li[data-kind="visited"][data-address="${address}"]`);
  await expect(visited.locator('[data-field="seq"]')).toHaveText('1');
  await expect(visited).not.toContainText('Open now');
  expect(errors()).toEqual([]);
  await context.close();
});

test('export a key, clear storage, import it with its passphrase, publish the next version', async ({ browser }) => {
  const first = await newVisitor(browser, [/WebSocket/]);
  await first.page.goto(app);
  await dropFolder(first.page, { 'site/index.html': '<h1>keyed</h1>' });
  await first.page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(first.page.getByRole('status').filter({ hasText: 'Published version 1' })).toBeVisible({ timeout: 30_000 });
  const address = (await first.page.locator('[data-field="address"]').textContent())!;
  await go(first.page, 'keys');
  await first.page.getByLabel(/Passphrase/).fill('open sesame');
  const downloading = first.page.waitForEvent('download');
  await first.page.locator(`li[data-address="${address}"] [data-action="export"]`).click();
  const keyText = await readFile((await (await downloading).path())!, 'utf8');
  expect(keyText).not.toContain('secretKey');
  expect(JSON.parse(keyText)).toMatchObject({ address, kdf: { name: 'PBKDF2', hash: 'SHA-256' }, cipher: { name: 'AES-GCM' } });
  await expect(first.page.getByRole('status').filter({ hasText: 'protected by your passphrase' })).toBeVisible();
  await first.context.close();

  // A new context has empty storage: import the key, first with a wrong passphrase.
  const second = await newVisitor(browser, [/WebSocket/]);
  await second.page.setViewportSize({ width: 1280, height: 800 });
  await second.page.goto(`${app}#keys`);
  await expect(second.page.getByText('No keys yet')).toBeVisible();
  await second.page.getByLabel(/Passphrase/).fill('wrong');
  await second.page.locator('input[name="import"]').setInputFiles({ name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(keyText) });
  await expect(second.page.getByRole('alert')).toContainText('passphrase does not open');
  await shot(second.page, 'app-wrong-passphrase');
  await second.page.getByLabel(/Passphrase/).fill('open sesame');
  await second.page.locator('input[name="import"]').setInputFiles({ name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(keyText) });
  await expect(second.page.getByRole('status').filter({ hasText: 'imported' })).toBeVisible();
  await expect(second.page.locator("p2p-keys").locator(`li[data-address="${address}"]`)).toContainText('Version 1');
  await shot(second.page, 'app-keys');
  await go(second.page, 'publish');
  await dropFolder(second.page, { 'site/index.html': '<h1>keyed, version two</h1>' });
  await second.page.getByLabel('Publish as').selectOption(address);
  await expect(second.page.getByRole('region', { name: 'Changes' })).toContainText('modified index.html');
  await second.page.getByRole('button', { name: 'Publish new version' }).click();
  await expect(second.page.getByRole('status').filter({ hasText: 'Published version 2' })).toBeVisible({ timeout: 30_000 });
  expect(second.errors()).toEqual([]);
  await second.context.close();
});

test('sites I visited: reported by the site, then pinned and removed from the app', async ({ browser }) => {
  const { bundle } = await publishFixture(ts.url);
  const address = bundle.manifest.address;
  const { context, page, errors } = await newVisitor(browser, [/WebSocket/]);
  await openSite(page, ts.siteUrl(address));
  const appPage = await context.newPage();
  await appPage.setViewportSize({ width: 1280, height: 800 });
  await appPage.goto(`${app}#sites`);
  const visited = appPage.locator(`li[data-kind="visited"][data-address="${address}"]`);
  await expect(visited).toContainText('Open now');
  await expect(visited.locator('[data-field="seq"]')).toHaveText('1');
  await expect(appPage.getByRole('status', { name: /Sharing 1 site/ })).toBeVisible({ timeout: 30_000 });

  await visited.getByRole('button', { name: 'Pin' }).click();
  await expect(visited).toContainText('Pinned');
  // The pin reached the site's own cache, on its origin.
  await expect.poll(() => siteRecord(page, address).then((r) => r?.pinned)).toBe(true);
  await shot(appPage, 'app-visited');
  await visited.getByRole('button', { name: 'Remove from cache' }).click();
  await expect(appPage.getByRole('status').filter({ hasText: 'removed from this browser’s cache' })).toBeVisible();
  await expect(visited).toHaveCount(0);
  await expect.poll(() => siteRecord(page, address).then((r) => Boolean(r?.current))).toBe(false);
  expect(errors()).toEqual([]);
  await context.close();
});

test('a dropped single-page app is recognised, published as one, and a deep link opens its route', async ({ browser }) => {
  const publisher = await newVisitor(browser, [/WebSocket/]);
  const page = publisher.page;
  await page.goto(app);
  await dropFolder(page, {
    'spa/index.html': '<!doctype html><meta charset="utf-8"><title>SPA</title><h1 id="title">App</h1><p id="route"></p><script type="module" src="/assets/app.js"></script>',
    'spa/assets/app.js': 'document.getElementById("route").textContent = "route " + location.pathname;',
  });
  const spa = page.getByRole('checkbox', { name: /Single-page app/ });
  await expect(spa).toBeChecked();
  await expect(page.getByText(/this folder looks like one/)).toBeVisible();
  await expect(page.getByText(/unknown paths show/)).toContainText('index.html');
  await shot(page, 'app-spa-plan');
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Published version 1' })).toBeVisible({ timeout: 30_000 });
  const address = (await page.locator('[data-field="address"]').textContent())!;

  const visitor = await newVisitor(browser);
  await visitor.page.goto(ts.siteUrl(address, '/users/42'));
  await expect(visitor.page.locator('#route')).toHaveText('route /users/42', { timeout: 60_000 });
  expect(visitor.errors()).toEqual([]);
  await Promise.all([visitor.context.close(), publisher.context.close()]);
});


test('error states say what to do: bad address, empty drop, no index.html, oversized file, server down', async ({ browser }) => {
  const { context, page, errors } = await newVisitor(browser, [/ERR_CONNECTION_REFUSED|Failed to load resource/]);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app);
  const address = page.getByLabel('Site address or link');
  await address.fill('abc');
  await expect(page.locator('#address-hint')).toBeVisible();
  await expect(page.getByText('3 of 52 characters')).toBeVisible();
  await address.fill('abc0');
  await expect(page.getByRole('alert')).toContainText('only the letters a–z and the digits 2–7');
  await address.fill(ts.siteUrl('a'.repeat(52)));
  await expect(page.getByText('A valid address')).toBeVisible();
  await address.fill('');

  await dropFolder(page, { 'x/.hidden': 'only hidden' });
  await expect(page.locator('[data-code="E_EMPTY"]')).toContainText('Nothing to publish');
  await expect(page.getByRole('button', { name: 'Publish', exact: true })).toBeDisabled();
  await shot(page, 'app-empty-drop');

  await dropFolder(page, { 'x/about.html': '<h1>about</h1>', 'x/a.css': '' });
  await expect(page.locator('[data-code="W_NO_INDEX"]')).toContainText('"about.html" will be the start page');

  // A file over the per-file limit is refused before anything is read.
  await page.evaluate(() => {
    const el = document.querySelector('p2p-app')!.shadowRoot!.querySelector('p2p-publish') as unknown as { take(p: unknown[]): Promise<void> };
    return el.take([{ path: 'index.html', size: 10 }, { path: 'huge.iso', size: 600 * 1024 * 1024 }]);
  });
  await expect(page.locator('[data-code="E_FILE_TOO_LARGE"]')).toContainText('huge.iso');
  await expect(page.getByRole('button', { name: 'Publish', exact: true })).toBeDisabled();

  await dropFolder(page, { 'site/index.html': '<h1>never published</h1>' });
  await ts.server.close();
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('server cannot be reached');
  await shot(page, 'app-server-down');
  expect(errors()).toEqual([]);
  await context.close();
});
