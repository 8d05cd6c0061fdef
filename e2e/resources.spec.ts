import { expect, test, type Page } from '@playwright/test';
import { startServer } from '../signaling/server.js';
import { generateKeyPair, utf8 } from '../src/core/index.js';
import { countPeerConnections, engineState, newVisitor, peerConnectionsMade, openSite, publish, startTestServer, waitForPhase, type TestServer } from './helpers/harness.js';

test.describe.configure({ mode: 'serial' });

let ts: TestServer;
test.beforeAll(async () => {
  ts = await startTestServer();
});
test.afterAll(async () => {
  await ts?.stop();
});

async function restartServer(origin: boolean): Promise<void> {
  await ts.server.close();
  ts.server = await startServer({ host: '127.0.0.1', port: ts.port, dataDir: ts.dataDir, distDir: process.env.P2P_DIST ?? 'dist', origin, log: () => {} });
}

function bigSite(bytes: number, label: string) {
  const payload = new Uint8Array(bytes);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761 + label.length) >>> 24;
  return [
    { path: 'index.html', bytes: utf8(`<!doctype html><title>${label}</title><link rel="icon" href="data:,"><h1 id="title">${label}</h1><a href="data/payload.bin">download</a>`) },
    { path: 'data/payload.bin', bytes: payload },
  ];
}

/** Opens the app in the visitor's context and changes settings through its panel. */
async function openSettings(page: Page): Promise<void> {
  await page.goto(`${ts.appUrl}#settings`);
  await expect(page.getByRole('button', { name: /Stop sharing|Resume sharing/ })).toBeVisible();
}

test('an upload cap of 200 kB/s holds over every 2-second window, and "stop sharing" stops uploads within a second', async ({ browser }) => {
  const { manifest } = await publish(ts.url, bigSite(5_000_000, 'capped'), await generateKeyPair(), 1);
  const seeder = await newVisitor(browser, [/WebSocket/]);
  const app = await seeder.context.newPage();
  await openSettings(app);
  await app.getByLabel('Upload limit (kB/s)').fill('200');
  await app.getByLabel('Upload limit (kB/s)').press('Tab');
  await expect(app.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();

  await openSite(seeder.page, ts.siteUrl(manifest.address));
  await waitForPhase(seeder.page, 'ready', 120_000);
  await restartServer(false);
  await seeder.page.reload();
  await waitForPhase(seeder.page, 'ready');

  const visitor = await newVisitor(browser, [/WebSocket/]);
  void visitor.page.goto(ts.siteUrl(manifest.address));
  // Sample what the visitor has received from the seeder (after the seeder's throttle),
  // every 250 ms, for 12 s.
  // Time and count are read together inside the page, so the test's own delays do not
  // blur the windows.
  const sample = () =>
    visitor.page
      .evaluate(() => {
        const engine = (globalThis as unknown as { p2pSite?: { engine: { liveStats?: { fromPeers: number } } } }).p2pSite?.engine;
        return { t: Date.now(), bytes: engine?.liveStats?.fromPeers ?? 0 };
      })
      .catch(() => ({ t: Date.now(), bytes: 0 }));
  const received = async () => (await sample()).bytes;
  const samples: { t: number; bytes: number }[] = [];
  const start = Date.now();
  while (Date.now() - start < 12_000) {
    const s = await sample();
    samples.push({ t: s.t - start, bytes: s.bytes });
    // The next sample once more bytes have arrived (checked every 250 ms), or when the 12 s are up.
    await visitor.page
      .waitForFunction(
        (seen) => ((globalThis as unknown as { p2pSite?: { engine: { liveStats?: { fromPeers: number } } } }).p2pSite?.engine.liveStats?.fromPeers ?? 0) !== seen,
        s.bytes,
        { polling: 250, timeout: Math.max(1, 12_000 - (Date.now() - start)) },
      )
      .catch(() => undefined); // the 12 s ended, or the page navigated (boot page to site): sampled again above
  }
  const cap = 200_000;
  const firstByte = samples.find((s) => s.bytes > 0);
  expect(firstByte, 'the visitor downloads from the seeder').toBeDefined();
  let worst = 0;
  for (const a of samples) {
    if (a.t < firstByte!.t + 2000) continue; // every window after the first
    const b = samples.find((s) => s.t >= a.t + 2000);
    if (!b) break;
    worst = Math.max(worst, (b.bytes - a.bytes) / ((b.t - a.t) / 1000) / cap);
  }
  console.log(`upload cap: worst 2-second window ${(worst * 100).toFixed(0)} % of the cap`);
  expect(worst).toBeGreaterThan(0.5); // it did upload, near the cap
  expect(worst).toBeLessThanOrEqual(1.1);

  // One click on "stop sharing" in the app: uploads stop within a second.
  await app.getByRole('button', { name: 'Stop sharing' }).click();
  // The seeder has stopped: its engine choked every peer.
  await expect.poll(async () => (await engineState(seeder.page)).sharing, { intervals: [50] }).toMatchObject({ upload: false, reason: 'stopped' });
  const atStop = await received();
  // What still arrives over the next 2 s (the window the invariant is measured over):
  // choking ends the peer's requests at once (BEP 3); blocks already handed to the
  // throttle and the data channel (a few 16 KiB blocks) may still arrive, nothing more.
  const windowEnd = Date.now() + 2000;
  await expect
    .poll(async () => (await received()) - atStop <= 64 * 1024 && Date.now() >= windowEnd, { timeout: 4000, intervals: [100] })
    .toBe(true);
  expect((await received()) - atStop).toBeLessThanOrEqual(64 * 1024);
  expect((await engineState(seeder.page)).sharing).toMatchObject({ upload: false, reason: 'stopped' });

  await visitor.context.close();
  await seeder.context.close();
  await restartServer(true);
});

test('"origin only" mode never creates an RTCPeerConnection, and the site still loads', async ({ browser }) => {
  const { manifest } = await publish(ts.url, bigSite(200_000, 'private'), await generateKeyPair(), 1);
  const { context, page, errors } = await newVisitor(browser);
  await countPeerConnections(context);
  const app = await context.newPage();
  await openSettings(app);
  await app.getByLabel('How this browser takes part').selectOption('origin-only');
  await expect(app.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  // The app is closed before the first visit: the site reads the choice from the app's storage.
  await app.close();

  await openSite(page, ts.siteUrl(manifest.address));
  await waitForPhase(page, 'ready');
  await expect(page.locator('#title')).toHaveText('private');
  expect((await engineState(page)).sharing).toMatchObject({ usePeers: false });
  // Across the boot page and the reload: not one connection.
  expect(await peerConnectionsMade(page)).toBe(0);
  expect(errors()).toEqual([]);
  await context.close();
});
