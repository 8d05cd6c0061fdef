import { expect, test, type BrowserContext } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../signaling/server.js';
import type { BundleInputFile } from '../src/core/index.js';
import { engineState, newVisitor, openSite, publishFixture, startTestServer, waitForPhase, type TestServer } from './helpers/harness.js';

// A first visit resolves honestly: it shows the highest seq among the sources it heard,
// and waits for peers when the server has nothing but the tracker counts someone.
test.describe.configure({ mode: 'serial' });

let ts: TestServer;
test.beforeAll(async () => {
  ts = await startTestServer();
});
test.afterAll(async () => {
  await ts?.stop();
});

const second = (files: BundleInputFile[]) => {
  const index = files.find((f) => f.path === 'index.html')!;
  index.bytes = new TextEncoder().encode(new TextDecoder().decode(index.bytes).replace('Hello from the swarm', 'Hello again, version 2'));
};

/** Records, in the tab's sessionStorage, the seq of every version an engine of the page shows. */
async function recordShownSeqs(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    let engineHolder: unknown;
    Object.defineProperty(window, 'p2pSite', {
      configurable: true,
      get: () => engineHolder,
      set(value: { engine: EventTarget & { state: { manifest?: { seq: number } } } }) {
        engineHolder = value;
        value.engine.addEventListener('state', () => {
          const seq = value.engine.state.manifest?.seq;
          if (seq === undefined) return;
          const seen = JSON.parse(sessionStorage.getItem('shown-seqs') ?? '[]') as number[];
          if (seen.at(-1) !== seq) sessionStorage.setItem('shown-seqs', JSON.stringify([...seen, seq]));
        });
      },
    });
  });
}

test('a first visit never shows a lower seq than the server holds, even when a peer with an older copy answers first (20 visits)', async ({ browser }) => {
  test.setTimeout(300_000);
  const { bundle, key } = await publishFixture(ts.url, 1);
  const address = bundle.manifest.address;
  // The peer keeps seq 1: it loaded it, then lost the server.
  const peer = await newVisitor(browser, [/Failed to load resource/, /ERR_FAILED/]);
  await openSite(peer.page, ts.siteUrl(address));
  await waitForPhase(peer.page, 'ready');
  await peer.context.route(`**/api/sites/${address}`, (route) => route.abort());
  await publishFixture(ts.url, 2, key, second);

  let peerFirst = 0;
  for (let i = 0; i < 20; i++) {
    const visitor = await newVisitor(browser);
    await recordShownSeqs(visitor.context);
    // The server's answer comes late, so the peer's seq 1 arrives first over the manifest exchange.
    await visitor.context.route(`**/api/sites/${address}`, async (route) => {
      // Asked of the server by its port (Node does not resolve *.localhost), answered late.
      // The page's long poll may still be held when its context closes: then nobody waits.
      try {
        const response = await fetch(`${ts.url}/api/sites/${address}`, { headers: route.request().headers() });
        const body = Buffer.from(await response.arrayBuffer());
        await new Promise((r) => setTimeout(r, 1500));
        await route.fulfill({ status: response.status, headers: Object.fromEntries(response.headers), body });
      } catch {
        await route.abort().catch(() => undefined);
      }
    });
    await visitor.page.goto(ts.siteUrl(address));
    await expect(visitor.page.locator('#title')).toHaveText('Hello again, version 2', { timeout: 60_000 });
    const shown = await visitor.page.evaluate(() => JSON.parse(sessionStorage.getItem('shown-seqs') ?? '[]') as number[]);
    expect(shown, `visit ${i + 1}`).not.toContain(1);
    const marks = new Map(await visitor.page.evaluate(() => JSON.parse(sessionStorage.getItem('p2p-boot-timing') ?? '[]') as [string, number][]));
    const fromPeer = marks.get('p2p:verified-peer');
    const fromServer = marks.get('p2p:verified-server');
    if (fromPeer !== undefined && fromServer !== undefined && fromPeer < fromServer) peerFirst++;
    expect(visitor.errors()).toEqual([]);
    await visitor.context.close();
  }
  console.log(`the peer's older manifest was verified before the server's in ${peerFirst} of 20 first visits`);
  expect(peerFirst).toBeGreaterThan(0);
  await peer.context.close();
});

test('a first visit whose server lost its manifests is served by a peer; an address nobody has fails fast', async ({ browser }) => {
  const { bundle } = await publishFixture(ts.url, 1);
  const address = bundle.manifest.address;
  const peer = await newVisitor(browser, [/Failed to load resource/, /WebSocket/, /ERR_CONNECTION_REFUSED/]);
  await openSite(peer.page, ts.siteUrl(address));
  await waitForPhase(peer.page, 'ready');

  // The server comes back with an empty store (its data folder lost) on the same port.
  const emptyDir = await mkdtemp(join(tmpdir(), 'p2p-e2e-lost-'));
  await ts.server.close();
  ts.server = await startServer({ host: '127.0.0.1', port: ts.port, dataDir: emptyDir, distDir: process.env.P2P_DIST ?? 'dist', log: () => {} });
  // The peer notices the server's return and re-announces both its swarms (discovery and version).
  await expect.poll(async () => Number(/p2p_peers (\d+)/.exec(ts.server.metrics.text())?.[1] ?? 0), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);

  const visitor = await newVisitor(browser, [/Failed to load resource/]);
  await visitor.page.goto(ts.siteUrl(address));
  await expect(visitor.page.locator('#title')).toHaveText('Hello from the swarm', { timeout: 60_000 });
  await waitForPhase(visitor.page, 'ready');
  expect((await engineState(visitor.page)).manifest?.seq).toBe(1);
  // The server holds no byte of it any more: every byte came from the peer.
  const fromPeers = await visitor.page.evaluate(
    (site) =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('p2p-sites');
        open.onsuccess = () => {
          const get = open.result.transaction('sites').objectStore('sites').get(site);
          get.onsuccess = () => resolve((get.result as { bytesFromPeers?: number } | undefined)?.bytesFromPeers ?? 0);
        };
      }),
    address,
  );
  expect(fromPeers).toBeGreaterThan(0);

  // Nobody has this one: "nothing is published" comes at once, not after the peer wait.
  const nobody = await newVisitor(browser, [/Failed to load resource/]);
  const started = Date.now();
  await nobody.page.goto(ts.siteUrl('b'.repeat(51) + 'a'));
  await expect(nobody.page.getByText(/Nothing is published/i)).toBeVisible({ timeout: 15_000 });
  expect(Date.now() - started).toBeLessThan(8000);
  await Promise.all([peer.context.close(), visitor.context.close(), nobody.context.close()]);
  // Back on its own data folder for the tests after this one.
  await ts.server.close();
  ts.server = await startServer({ host: '127.0.0.1', port: ts.port, dataDir: ts.dataDir, distDir: process.env.P2P_DIST ?? 'dist', log: () => {} });
  await rm(emptyDir, { recursive: true, force: true });
});

test('a first visit nobody can serve says so plainly: no one who has the site is online and the server does not serve its files', async ({ browser }) => {
  const { bundle } = await publishFixture(ts.url, 1);
  // The server keeps the manifest but serves no files, and no visitor has the site.
  await ts.server.close();
  ts.server = await startServer({ host: '127.0.0.1', port: ts.port, dataDir: ts.dataDir, distDir: process.env.P2P_DIST ?? 'dist', origin: false, log: () => {} });
  const visitor = await newVisitor(browser, [/Failed to load resource.*503/]);
  await visitor.page.goto(ts.siteUrl(bundle.manifest.address));
  const notice = visitor.page.locator('[data-p2p="no-source"]');
  await expect(notice).toBeVisible({ timeout: 30_000 });
  await expect(notice).toContainText('no one who has this site is online');
  await visitor.page.screenshot({ path: 'e2e/screenshots/visit-no-source.png' });
  await visitor.context.close();
});
