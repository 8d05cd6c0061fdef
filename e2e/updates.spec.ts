import { expect, test } from '@playwright/test';
import { startServer } from '../signaling/server.js';
import { engineState, newVisitor, openSite, publishFixture, startTestServer, waitForPhase, type TestServer } from './helpers/harness.js';

// Open pages and the server: a publish reaches an open page within seconds, and a page
// that lost the server finds it again within seconds of its return, the server really
// stopped and restarted on its port and data folder.
test.describe.configure({ mode: 'serial' });

let ts: TestServer;
test.beforeAll(async () => {
  ts = await startTestServer();
});
test.afterAll(async () => {
  await ts?.stop();
});

async function restartServer(): Promise<void> {
  ts.server = await startServer({ host: '127.0.0.1', port: ts.port, dataDir: ts.dataDir, distDir: process.env.P2P_DIST ?? 'dist', log: () => {} });
}

test('an open page is offered seq 2 within 10 s of the publish', async ({ browser }) => {
  const { bundle, key } = await publishFixture(ts.url, 1);
  const address = bundle.manifest.address;
  const visitor = await newVisitor(browser);
  await openSite(visitor.page, ts.siteUrl(address));
  await waitForPhase(visitor.page, 'ready');
  // The page is waiting on the server for the next version (a held manifest request).
  await expect.poll(() => ts.server.waitingPages, { timeout: 10_000 }).toBeGreaterThan(0);

  const published = Date.now();
  await publishFixture(ts.url, 2, key, (files) => {
    const index = files.find((f) => f.path === 'index.html')!;
    index.bytes = new TextEncoder().encode(new TextDecoder().decode(index.bytes).replace('Hello from the swarm', 'Hello again, version 2'));
  });
  await expect(visitor.page.locator('[data-p2p="update"]')).toBeVisible({ timeout: 10_000 });
  const offeredMs = Date.now() - published;
  console.log(`update offered ${offeredMs} ms after the publish`);
  expect(offeredMs).toBeLessThan(10_000);
  expect((await engineState(visitor.page)).updateReady).toBe(true);

  await visitor.page.locator('[data-p2p="update"] button', { hasText: 'Reload' }).click();
  await expect(visitor.page.locator('#title')).toHaveText('Hello again, version 2');
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
});

test('after a server restart an open page re-announces within 15 s and the saved-copy notice goes away', async ({ browser }) => {
  const { bundle } = await publishFixture(ts.url, 1);
  const address = bundle.manifest.address;
  // The lost server shows as failed requests and a closed tracker socket while it is down.
  const visitor = await newVisitor(browser, [/WebSocket/, /ERR_CONNECTION_REFUSED/, /Failed to load resource/]);
  const sockets: number[] = [];
  visitor.page.on('websocket', (ws) => {
    if (ws.url().includes('/announce')) sockets.push(Date.now());
  });
  await openSite(visitor.page, ts.siteUrl(address));
  await waitForPhase(visitor.page, 'ready');
  await expect.poll(() => sockets.length, { timeout: 15_000 }).toBeGreaterThan(0);

  await ts.server.close();
  await expect(visitor.page.locator('[data-p2p="offline"]')).toBeVisible({ timeout: 20_000 });
  expect((await engineState(visitor.page)).serverReachable).toBe(false);

  const before = sockets.length;
  const back = Date.now();
  await restartServer();
  await expect(visitor.page.locator('[data-p2p="offline"]')).toBeHidden({ timeout: 15_000 });
  await expect.poll(() => sockets.length, { timeout: 15_000 }).toBeGreaterThan(before);
  const reannouncedMs = sockets[before] - back;
  console.log(`notice cleared and tracker socket reopened ${reannouncedMs} ms after the server came back`);
  expect(reannouncedMs).toBeLessThan(15_000);
  expect((await engineState(visitor.page)).serverReachable).toBe(true);
  await visitor.context.close();
});
