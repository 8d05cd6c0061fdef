import { expect, test } from '@playwright/test';
import { generateKeyPair, utf8 } from '../src/core/index.js';
import { engineState, newVisitor, publish, startTestServer, waitForPhase, type TestServer } from './helpers/harness.js';

// Sites whose pages carry a strict Content-Security-Policy of their own (PDF.js ships
// `default-src 'none'` and a few more): the runtime does only what the page allows, and
// the browser has nothing to refuse, so the console stays clean.
let ts: TestServer;
test.beforeAll(async () => {
  ts = await startTestServer();
});
test.afterAll(async () => {
  await ts?.stop();
});

const page = (policy: string) =>
  utf8(`<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${policy}"><title>strict</title><h1 id="title">Strict page</h1><script src="/app.js"></script>`);
const app = utf8('document.getElementById("title").dataset.ran = "yes";');

test("a page whose CSP blocks frames: no frame is made, no violation, and sharing falls back to origin only", async ({ browser }) => {
  const { manifest } = await publish(ts.url, [{ path: 'index.html', bytes: page("default-src 'none'; script-src 'self'; connect-src 'self'") }, { path: 'app.js', bytes: app }], await generateKeyPair(), 1);
  const visitor = await newVisitor(browser);
  const violations: string[] = [];
  visitor.page.on('console', (m) => /Content Security Policy|Refused to/.test(m.text()) && violations.push(m.text()));
  await visitor.page.goto(ts.siteUrl(manifest.address));
  await expect(visitor.page.locator('#title')).toHaveAttribute('data-ran', 'yes', { timeout: 60_000 });
  await visitor.page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
  await waitForPhase(visitor.page, 'ready');
  expect(await visitor.page.locator('iframe').count()).toBe(0);
  // No saved copy of the settings and no frame to ask: origin only, never peers on a guess.
  expect((await engineState(visitor.page)).sharing?.usePeers).toBe(false);
  await visitor.page.reload();
  await expect(visitor.page.locator('#title')).toHaveAttribute('data-ran', 'yes');
  expect(violations).toEqual([]);
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
});

test('a page whose CSP allows no requests to its own origin is shown from the cache, with no engine and no violation', async ({ browser }) => {
  const { manifest } = await publish(ts.url, [{ path: 'index.html', bytes: page("default-src 'none'; script-src 'self'") }, { path: 'app.js', bytes: app }], await generateKeyPair(), 1);
  const visitor = await newVisitor(browser);
  const violations: string[] = [];
  visitor.page.on('console', (m) => /Content Security Policy|Refused to/.test(m.text()) && violations.push(m.text()));
  await visitor.page.goto(ts.siteUrl(manifest.address));
  await expect(visitor.page.locator('#title')).toHaveAttribute('data-ran', 'yes', { timeout: 60_000 });
  await visitor.page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
  await visitor.page.reload();
  await expect(visitor.page.locator('#title')).toHaveAttribute('data-ran', 'yes');
  expect((await engineState(visitor.page)).phase).toBe('none');
  expect(violations).toEqual([]);
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
});
