import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { utf8, type KeyPair, type Manifest } from '../src/core/index.js';
import { publishFixture, startTestServer, type TestServer } from '../e2e/helpers/harness.js';
import { engineState, launchFirefox, navigate, openSite, textOf, waitForPhase, type FirefoxPeer } from './helpers/firefox.js';
import { restartServer } from './helpers/server.js';
import { clickShadow, shadowText, waitForShadow } from './helpers/shadow.js';

// One Firefox visitor (one profile) through the visits that matter, in order, as in
// e2e/visit.spec.ts: first visit from the origin seed, reload, offline, update.
let ts: TestServer;
let key: KeyPair;
let v1: Manifest;
let ff: FirefoxPeer;
const V1_TITLE = 'Hello from the swarm';
/** The highest seq published; a retry of the update test publishes the next one. */
let latestSeq = 1;

beforeAll(async () => {
  ts = await startTestServer();
  const published = await publishFixture(ts.url, 1);
  key = published.key;
  v1 = published.bundle.manifest;
  // The tracker socket drops while the server is stopped for the offline test.
  ff = await launchFirefox({ allow: [/WebSocket|NetworkError|Firefox can.t establish a connection/] });
});

afterAll(async () => {
  await ff?.close();
  await ts?.stop();
});

// Each attempt counts its own errors: a failed attempt's must not fail its retry or the next test.
beforeEach(() => {
  ff.errors().splice(0);
});

test('first visit from the origin seed: the service worker serves the site, a deep link and a reload', async () => {
  const { page } = ff;
  await openSite(page, ts.siteUrl(v1.address));
  expect(await textOf(page, '#title')).toBe(V1_TITLE);
  await page.waitForFunction(() => document.querySelector('#js-status')?.textContent === 'JavaScript ran', { timeout: 20_000 });
  expect(await page.$eval('#title', (el) => getComputedStyle(el).color)).toBe('rgb(102, 51, 153)');
  expect(await page.$eval('#logo', (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth)).toBe(64);
  await waitForPhase(page, 'ready');
  expect((await engineState(page)).manifest?.seq).toBe(1);

  await navigate(page, () => page.goto(ts.siteUrl(v1.address, '/blog/post.html')));
  await page.waitForSelector('#post-title', { timeout: 20_000 });
  await navigate(page, () => page.reload());
  await page.waitForSelector('#post-title', { timeout: 20_000 });
  expect(await page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  expect(ff.errors()).toEqual([]);
});

test('offline: with the server stopped, a reload shows the cached site and says which version', async () => {
  const { page } = ff;
  await navigate(page, () => page.goto(ts.siteUrl(v1.address)));
  await page.waitForSelector('#title', { timeout: 20_000 });
  await waitForPhase(page, 'ready');
  // BiDi in Firefox ESR has no offline emulation; a stopped server is the same cut on loopback.
  await ts.server.close();
  try {
    await navigate(page, () => page.reload());
    await page.waitForSelector('#title', { timeout: 20_000 });
    expect(await page.$eval('#title', (el) => getComputedStyle(el).color)).toBe('rgb(102, 51, 153)');
    await waitForShadow(page, 'p2p-site-status', '[data-p2p="offline"]');
    expect(await shadowText(page, 'p2p-site-status', '[data-p2p="offline"]')).toContain('version 1');
  } finally {
    await restartServer(ts, true);
  }
  // The settings frame (app origin) cannot load with the server stopped; Firefox then
  // reports the engine's heartbeat to it as an error (the frame's window is an error page
  // whose origin is not the app's), where Chromium drops it quietly. Nothing else may fail.
  const unexpected = ff.errors().filter((e) => !/postMessage.*does not match the recipient window/.test(e));
  expect(unexpected).toEqual([]);
});

test('update: the returning visitor is offered the next version and gets it', async () => {
  const { page } = ff;
  // A new seq on each attempt: a retry cannot publish the first attempt's seq again (the
  // server refuses other content under a seq it holds), and its page may already show it.
  const earlier = [V1_TITLE];
  for (let s = 2; s <= latestSeq; s++) earlier.push(versionTitle(s));
  const seq = ++latestSeq;
  await publishFixture(ts.url, seq, key, (files) => {
    const index = files.find((f) => f.path === 'index.html')!;
    index.bytes = utf8(new TextDecoder().decode(index.bytes).replace(V1_TITLE, versionTitle(seq)));
  });
  await navigate(page, () => page.goto(ts.siteUrl(v1.address)));
  await page.waitForSelector('#title', { timeout: 20_000 });
  expect(earlier).toContain(await textOf(page, '#title'));
  await waitForShadow(page, 'p2p-site-status', '[data-p2p="update"]', 60_000);
  await Promise.all([page.waitForNavigation(), clickShadow(page, 'p2p-site-status', '[data-p2p="update"] button')]);
  await page.waitForFunction((title: string) => document.querySelector('#title')?.textContent === title, { timeout: 30_000, polling: 100 }, versionTitle(seq));
  await waitForPhase(page, 'ready');
  expect((await engineState(page)).manifest?.seq).toBe(seq);
  expect(ff.errors()).toEqual([]);
});

function versionTitle(seq: number): string {
  return `Version ${seq} is here`;
}
