import { expect, test, type Page } from '@playwright/test';
import { newVisitor, startTestServer, type TestServer } from './helpers/harness.js';

// A site at the 10,000-file limit, dropped on the app, published and opened by a visitor
// (issue 15: "publish (through the app, by a drop) and open a 10,000-file site").
let ts: TestServer;
test.beforeAll(async () => {
  ts = await startTestServer();
});
test.afterAll(async () => {
  await ts?.stop();
});

const FILES = 10_000;

/**
 * Drops a generated folder of `count` files on the drop zone: `big/index.html` and small
 * text files three folders deep (`big/a4/b3/f1234.txt`), made in the page so 10,000 files
 * need not cross the protocol one by one.
 */
async function dropGenerated(page: Page, count: number): Promise<void> {
  const zone = page.getByRole('region', { name: /Drop a folder/ });
  const handle = await page.evaluateHandle((n) => {
    const transfer = new DataTransfer();
    const add = (path: string, text: string) => {
      const file = new File([text], path.split('/').pop()!, { type: '' });
      // What browsers set for files picked from a folder: the path below the dropped folder.
      Object.defineProperty(file, 'webkitRelativePath', { value: path });
      transfer.items.add(file);
    };
    add('big/index.html', `<!doctype html><meta charset="utf-8"><title>Ten thousand files</title><link rel="icon" href="data:,"><h1 id="title">${n} files</h1><a href="a4/b3/f1234.txt">one of them</a>`);
    for (let i = 1; i < n; i++) add(`big/a${i % 10}/b${Math.floor(i / 10) % 10}/f${i}.txt`, `file ${i} `.padEnd(120 + (i % 80), '.'));
    return transfer;
  }, count);
  for (const type of ['dragenter', 'dragover', 'drop']) await zone.dispatchEvent(type, { dataTransfer: handle });
}

test('a dropped 10,000-file site is published from the app and a visitor opens it', async ({ browser }) => {
  test.setTimeout(30 * 60_000);
  const publisher = await newVisitor(browser, [/WebSocket/]);
  const page = publisher.page;
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(ts.appUrl);
  await expect(page.getByRole('heading', { name: 'Publish a site' })).toBeVisible();

  const dropped = Date.now();
  await dropGenerated(page, FILES);
  await expect(page.getByRole('heading', { name: /^10,000 files/ })).toBeVisible({ timeout: 120_000 });
  // The tree lists the first rows and counts the rest.
  await expect(page.locator('p2p-publish [data-field="tree-more"]')).toContainText('more files not listed');
  const planMs = Date.now() - dropped;

  // The button is at the end of the plan: the publisher has scrolled down to it.
  await page.getByRole('button', { name: 'Publish', exact: true }).scrollIntoViewIfNeeded();
  const started = Date.now();
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const card = page.getByRole('region', { name: 'Publishing…' });
  await expect(card).toBeVisible();
  // Every change of the counts is timed in the page, to check the rate they are shown at.
  await page.evaluate(() => {
    const root = document.querySelector('p2p-app')!.shadowRoot!.querySelector('p2p-publish')!.shadowRoot!;
    const counts = root.querySelector('[data-field="counts"]')!;
    const step = root.querySelector('[data-field="step"]')!;
    const w = window as unknown as { countChanges: number[]; steps: [string, number][] };
    w.countChanges = [];
    w.steps = [[step.textContent!, performance.now()]];
    new MutationObserver(() => w.countChanges.push(performance.now())).observe(counts, { childList: true, characterData: true, subtree: true });
    new MutationObserver(() => w.steps.push([step.textContent!, performance.now()])).observe(step, { childList: true, characterData: true, subtree: true });
  });
  await expect(card.locator('[data-field="step"]')).toHaveText('Upload to the server', { timeout: 5 * 60_000 });
  // Well into the upload, for the screenshot: counts of files and bytes, and the step.
  await expect(card.locator('[data-field="counts"]')).toHaveText(/^\d,\d{3} of 10,000 files · [\d.]+ (KiB|MiB) of [\d.]+ MiB$/, { timeout: 5 * 60_000 });
  // In view without scrolling: below the app's header, inside the viewport.
  const box = (await card.boundingBox())!;
  const header = (await page.locator('header').boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(header.y + header.height - 1);
  expect(box.y + box.height).toBeLessThanOrEqual(800);
  // With the other screenshots; docs/img/app-publish-progress.png is a copy of one, looked at.
  await page.screenshot({ path: 'e2e/screenshots/app-publish-progress.png' });
  // Scrolled down to the end of the file list, it stays in view below the header (sticky).
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(200);
  const stuck = (await card.boundingBox())!;
  expect(stuck.y).toBeGreaterThanOrEqual(header.y + header.height - 1);
  expect(stuck.y).toBeLessThan(header.y + header.height + 30);
  const done = page.getByRole('status').filter({ hasText: 'Published version 1' });
  await expect(done).toBeVisible({ timeout: 15 * 60_000 });
  const publishMs = Date.now() - started;
  const steps = await page.evaluate(() => [...(window as unknown as { steps: [string, number][] }).steps, ['end', performance.now()] as [string, number]]);
  const lasted = steps.map(([label, at], i) => `${label} ${(((steps[i + 1]?.[1] ?? at) - at) / 1000).toFixed(1)} s`).slice(0, -1);
  console.log(`10,000 files: plan ${(planMs / 1000).toFixed(1)} s, publish ${(publishMs / 1000).toFixed(1)} s (${lasted.join(', ')})`);
  // At a bounded rate: no second saw more than a dozen changes of the counts.
  const changes = await page.evaluate(() => (window as unknown as { countChanges: number[] }).countChanges);
  expect(changes.length).toBeGreaterThan(3);
  const busiest = Math.max(...changes.map((t) => changes.filter((u) => u >= t && u < t + 1000).length));
  expect(busiest).toBeLessThanOrEqual(12);
  const address = (await page.locator('[data-field="address"]').textContent())!;
  const manifest = await (await fetch(`${ts.url}/api/sites/${address}`)).json();
  expect(manifest.files).toHaveLength(FILES);

  const visitor = await newVisitor(browser);
  const opening = Date.now();
  await visitor.page.goto(ts.siteUrl(address));
  await expect(visitor.page.locator('#title')).toHaveText(`${FILES} files`, { timeout: 20 * 60_000 });
  const openMs = Date.now() - opening;
  console.log(`10,000 files: first visit shows the start page after ${(openMs / 1000).toFixed(1)} s`);
  // A file three folders down is served as published.
  const deep = await visitor.page.evaluate(() => fetch('/a4/b3/f1234.txt').then(async (r) => [r.status, await r.text()] as const));
  expect(deep[0]).toBe(200);
  expect(deep[1].startsWith('file 1234 ')).toBe(true);
  expect(visitor.errors()).toEqual([]);
  expect(publisher.errors()).toEqual([]);
  await Promise.all([visitor.context.close(), publisher.context.close()]);
});
