import { expect, test } from '@playwright/test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../signaling/server.js';
import { parseEndpointsConfig } from '../signaling/endpoints-answer.js';
import { engineState, newVisitor, openSite, originBytes, publishFixture, waitForPhase } from './helpers/harness.js';
import { signedHashes, storedHashes } from './helpers/stored-hashes.js';

// A server with its built-in tracker off (--no-tracker) naming an external WebSocket
// tracker: here another process's tracker, a server of this kind with nothing published.
const dirs: string[] = [];
let tracker: RunningServer | undefined;
let server: RunningServer | undefined;

test.afterAll(async () => {
  await server?.close();
  await tracker?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('--no-tracker with an external tracker: visitors meet there, the site goes peer to peer, the denylist still holds', async ({ browser }) => {
  const dist = process.env.P2P_DIST ?? 'dist';
  const trackerDir = await mkdtemp(join(tmpdir(), 'p2p-e2e-tracker-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'p2p-e2e-notracker-'));
  dirs.push(trackerDir, dataDir);
  tracker = await startServer({ host: '127.0.0.1', port: 0, dataDir: trackerDir, distDir: dist, log: () => {} });
  const endpoints = parseEndpointsConfig({ builtInTracker: false, trackers: [`ws://127.0.0.1:${tracker.port}/announce`] });
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir, distDir: dist, endpoints, log: () => {} });
  const { bundle } = await publishFixture(server.url, 1);
  const manifest = bundle.manifest;
  const siteUrl = `http://${manifest.address}.p2p.localhost:${server.port}/`;

  // Its page may ask the server while it restarts below: refused, or reset while under way
  // (through the service worker, such a request shows as ERR_FAILED). Once the operator
  // refuses the site at the end, its held manifest request is answered 451, as it should be.
  const seeder = await newVisitor(browser, [/ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_FAILED/, /status of 451/]);
  await openSite(seeder.page, siteUrl);
  await waitForPhase(seeder.page, 'ready');
  // The page announced to the external tracker only.
  await expect.poll(() => Number(/^p2p_peers (\d+)/m.exec(tracker!.metrics.text())?.[1] ?? 0), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  expect(Number(/^p2p_peers (\d+)/m.exec(server.metrics.text())?.[1] ?? 0)).toBe(0);

  // The origin seed off: the second visitor can only get the files from the first.
  await server.close();
  server = await startServer({ host: '127.0.0.1', port: Number(new URL(siteUrl).port), dataDir, distDir: dist, origin: false, endpoints, log: () => {} });
  await seeder.page.reload();
  await waitForPhase(seeder.page, 'ready');
  const visitor = await newVisitor(browser, [/Failed to load resource.*503/]);
  await visitor.page.goto(siteUrl);
  await expect(visitor.page.locator('#title')).toHaveText('Hello from the swarm', { timeout: 60_000 });
  await waitForPhase(visitor.page, 'ready');
  expect(await storedHashes(visitor.page, manifest)).toEqual(signedHashes(manifest));
  expect(await originBytes(server.url, manifest.address)).toBe(0);
  const total = manifest.files.reduce((n, f) => n + f.size, 0);
  await expect.poll(async () => (await engineState(seeder.page)).stats?.uploaded ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(total);

  // The operator refuses the site: the API and the origin say so, though the tracker is not theirs.
  await writeFile(join(dataDir, 'denylist.txt'), `${manifest.address}\n`);
  await expect.poll(async () => (await fetch(`${server!.url}/api/sites/${manifest.address}`)).status, { timeout: 15_000 }).toBe(451);

  expect(visitor.errors()).toEqual([]);
  expect(seeder.errors()).toEqual([]);
  await visitor.context.close();
  await seeder.context.close();
});
