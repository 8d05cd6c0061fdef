import { expect, test } from '@playwright/test';
import { generateKeyPair, utf8 } from '../src/core/index.js';
import { newVisitor, publish, startTestServer, type TestServer } from './helpers/harness.js';

// A single-page app: its shell answers every path no file matches, with status 200, so a
// deep link or a reload of /users/42 shows that route (published as `p2psite publish --spa`).
let ts: TestServer;
test.beforeAll(async () => {
  ts = await startTestServer();
});
test.afterAll(async () => {
  await ts?.stop();
});

test('a deep link into a single-page app opens its route on a first visit, and after a reload (200, the shell)', async ({ browser }) => {
  const shell = '<!doctype html><meta charset="utf-8"><title>SPA</title><h1 id="title">Users</h1><p id="route"></p><script type="module" src="/app.js"></script>';
  const app = 'document.getElementById("route").textContent = "route " + location.pathname;';
  const { manifest } = await publish(ts.url, [{ path: 'index.html', bytes: utf8(shell) }, { path: 'app.js', bytes: utf8(app) }, { path: '404.html', bytes: utf8('<h1>missing</h1>') }], await generateKeyPair(), 1, 'index.html');
  const visitor = await newVisitor(browser);
  await visitor.page.goto(ts.siteUrl(manifest.address, '/users/42'));
  await expect(visitor.page.locator('#route')).toHaveText('route /users/42', { timeout: 60_000 });
  await visitor.page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
  const reloaded = await visitor.page.reload();
  expect(reloaded?.status()).toBe(200);
  await expect(visitor.page.locator('#route')).toHaveText('route /users/42');
  // Another route by its link, and a file that exists is still itself.
  const other = await visitor.page.goto(ts.siteUrl(manifest.address, '/settings/profile'));
  expect(other?.status()).toBe(200);
  await expect(visitor.page.locator('#route')).toHaveText('route /settings/profile');
  expect(await (await visitor.page.goto(ts.siteUrl(manifest.address, '/app.js')))?.text()).toBe(app);
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
});
