import { expect, test } from '@playwright/test';
import { cp, mkdtemp, open, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../src/core/index.js';
import { startServer, type RunningServer } from '../signaling/server.js';
import { parseEndpointsConfig } from '../signaling/endpoints-answer.js';
import { engineState, newVisitor, originBytes, publishFixture, waitForPhase } from './helpers/harness.js';
import { startStaticMirror, type StaticMirror } from './helpers/static-mirror.js';
import { signedHashes, storedHashes } from './helpers/stored-hashes.js';
import { runCli } from '../test/helpers/cli.js';


const cli = runCli;


let dataDir: string;
let mirrorDir: string;
let server: RunningServer | undefined;
let mirror: StaticMirror | undefined;
let liar: StaticMirror | undefined;
let liarDir: string | undefined;
let manifest: Manifest;
let port: number;

// The tests build on each other: the second reuses the first's store and mirror folder.
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'p2p-e2e-mirror-'));
  mirrorDir = await mkdtemp(join(tmpdir(), 'p2p-e2e-mirror-files-'));
});

test.afterAll(async () => {
  await server?.close();
  await mirror?.stop();
  await liar?.stop();
  if (liarDir) await rm(liarDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
  await rm(mirrorDir, { recursive: true, force: true });
});

test('a folder written by p2psite mirror, on a plain static server, serves a visitor with the origin seed off', async ({ browser }) => {
  const dist = process.env.P2P_DIST ?? 'dist';
  // Published with the origin seed on, so `p2psite mirror` can fetch the files.
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir, distDir: dist, log: () => {} });
  // A file of many pieces, so that a second mirror in the next test gets asked for some.
  const { bundle } = await publishFixture(server.url, 1, undefined, (files) => files.push({ path: 'media/large.bin', bytes: new Uint8Array(randomBytes(3 * 1024 * 1024)) }));
  manifest = bundle.manifest;
  const run = await cli(['mirror', manifest.address, mirrorDir, '--server', server.url]);
  expect(run.code, run.err).toBe(0);
  port = server.port;
  await server.close();

  mirror = await startStaticMirror(mirrorDir);
  // Same store, origin seed off: the files can only come from the mirror (there are no peers).
  server = await startServer({ host: '127.0.0.1', port, dataDir, distDir: dist, origin: false, endpoints: parseEndpointsConfig({ mirrors: [mirror.url] }), log: () => {} });

  // The origin seed's probe answers 503 E_ORIGIN_OFF: expected.
  const { context, page, errors } = await newVisitor(browser, [/status of 503/]);
  await page.goto(`http://${manifest.address}.p2p.localhost:${port}/`);
  await expect(page.locator('#title')).toHaveText('Hello from the swarm', { timeout: 60_000 });
  await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
  await waitForPhase(page, 'ready');
  expect((await engineState(page)).manifest?.seq).toBe(1);
  // This page (after the boot page's reload) seeds what the boot page fetched: the bytes'
  // sources are the mirror's counters and the server's.
  expect(await originBytes(server.url, manifest.address)).toBe(0);
  expect(mirror.requests.HEAD).toBeGreaterThan(0);
  expect(mirror.bytesSent).toBeGreaterThanOrEqual(manifest.files.reduce((n, f) => n + f.size, 0));
  expect(await storedHashes(page, manifest)).toEqual(signedHashes(manifest));
  expect(errors()).toEqual([]);
  await context.close();
});

test('a mirror that sends wrong bytes is dropped; the site loads from the honest one, every file as signed', async ({ browser }) => {
  // A copy of the mirror folder with the large file's bytes changed in place (same length).
  liarDir = await mkdtemp(join(tmpdir(), 'p2p-e2e-mirror-liar-'));
  await cp(mirrorDir, liarDir, { recursive: true });
  const large = join(liarDir, manifest.torrent.infoHash, manifest.torrent.name, 'media', 'large.bin');
  const handle = await open(large, 'r+');
  for (let at = 0; at < 3 * 1024 * 1024; at += 64 * 1024) await handle.write(new Uint8Array(16).fill(0xee), 0, 16, at);
  await handle.close();
  liar = await startStaticMirror(liarDir);
  await server!.close();
  server = await startServer({ host: '127.0.0.1', port, dataDir, distDir: process.env.P2P_DIST ?? 'dist', origin: false, endpoints: parseEndpointsConfig({ mirrors: [liar.url, mirror!.url] }), log: () => {} });

  const { context, page, errors } = await newVisitor(browser, [/status of 503/]);
  const warnings: string[] = [];
  page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
  await page.goto(`http://${manifest.address}.p2p.localhost:${port}/`);
  await expect(page.locator('#title')).toHaveText('Hello from the swarm', { timeout: 60_000 });
  await waitForPhase(page, 'ready');
  expect(await storedHashes(page, manifest)).toEqual(signedHashes(manifest));
  expect(liar.bytesSent).toBeGreaterThan(0);
  expect(warnings.some((w) => w.includes(`the mirror ${new URL(liar!.url).host} sent piece`)), warnings.join("\n")).toBe(true);
  expect(errors()).toEqual([]);
  await context.close();
});
