/**
 * Visiting figures, each a ratio measured side by side in one run:
 * - cold_1mb_vs_raw: a first visit of a 1 MB site from one peer (origin off), over a
 *   bare RTCDataChannel carrying the same bytes plus its connection set-up;
 * - warm_vs_http: opening a cached site, over a plain HTTP load of the same files from a
 *   static server on the same machine (a fresh browser context, so no HTTP cache);
 * - throughput_50mb_vs_raw: peer-to-peer throughput of a 50 MB site over the raw channel's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { generateKeyPair, utf8, type BundleInputFile } from '../src/core/index.js';
import { startServer, type RunningServer } from '../signaling/server.js';
import { publish } from '../e2e/helpers/harness.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { rawChannelTransfer } from './lib/raw-channel.js';
import { serveSiteStatically } from './lib/static-site.js';

export const figures = ['cold_1mb_vs_raw', 'warm_vs_http', 'throughput_50mb_vs_raw'];

const RUNS = 3;

function siteFiles(payloadBytes: number): BundleInputFile[] {
  const payload = new Uint8Array(payloadBytes);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761) >>> 24;
  return [
    { path: 'index.html', bytes: utf8('<!doctype html><title>bench</title><link rel="icon" href="data:,"><link rel="stylesheet" href="style.css"><h1 id="title">bench</h1><img src="pixel.svg"><script src="app.js"></script>') },
    { path: 'style.css', bytes: utf8('h1{color:teal}') },
    { path: 'app.js', bytes: utf8('document.title="bench ready"') },
    { path: 'pixel.svg', bytes: utf8('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>') },
    { path: 'data/payload.bin', bytes: payload },
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

class Bench {
  server!: RunningServer;
  port = 0;
  dataDir = '';
  constructor(readonly browser: Browser) {}

  async start(origin: boolean): Promise<void> {
    this.server = await startServer({ host: '127.0.0.1', port: this.port, dataDir: this.dataDir, distDir: 'dist', origin, log: () => {} });
    this.port = this.server.port;
  }

  async restart(origin: boolean): Promise<void> {
    await this.server.close();
    await this.start(origin);
  }

  siteUrl(address: string): string {
    return `http://${address}.p2p.localhost:${this.port}/`;
  }

  /**
   * A visitor that loads the site (origin on) and keeps it open, seeding. Its upload cap
   * is lifted in the app's settings: the figures measure the protocol, not the default cap.
   */
  async seeder(address: string): Promise<Page> {
    const context = await this.browser.newContext();
    const app = await context.newPage();
    await app.goto(`http://p2p.localhost:${this.port}/#settings`);
    const upload = app.getByLabel('Upload limit (kB/s)');
    await upload.fill('');
    await upload.press('Tab');
    await app.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const page = await context.newPage();
    await page.goto(this.siteUrl(address));
    // The boot page reloads itself once the site is stored; wait for the site itself.
    await page.waitForSelector('#title', { timeout: 600_000 });
    await waitReady(page, 600_000);
    return page;
  }
}

async function waitReady(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as { p2pSite?: { engine: { state: { phase: string } } } }).p2pSite?.engine.state.phase === 'ready', null, { timeout, polling: 20 });
}

/**
 * Time from navigation to the site shown by the service worker (sites under 8 MB open
 * only once every file is stored), or with `untilReady`, to the engine holding every file.
 */
async function coldVisit(bench: Bench, address: string, untilReady = false): Promise<number> {
  const page = await (await bench.browser.newContext()).newPage();
  const t0 = Date.now();
  await page.goto(bench.siteUrl(address));
  await page.waitForFunction(() => Boolean(navigator.serviceWorker?.controller && document.getElementById('title')), null, { timeout: 600_000, polling: 20 });
  if (untilReady) await waitReady(page, 600_000);
  const ms = Date.now() - t0;
  await page.context().close();
  return ms;
}

export default async function run(only?: string): Promise<void> {
  const browser = await launchChromium();
  const bench = new Bench(browser);
  bench.dataDir = await mkdtemp(join(tmpdir(), 'p2p-bench-'));
  try {
    await bench.start(true);
    const key = await generateKeyPair();

    if (!only || only === 'cold_1mb_vs_raw' || only === 'warm_vs_http') {
      const files = siteFiles(1_000_000);
      const total = files.reduce((n, f) => n + f.bytes.length, 0);
      const { manifest } = await publish(bench.server.url, files, key, 1);
      const seeder = await bench.seeder(manifest.address);

      if (!only || only === 'cold_1mb_vs_raw') {
        await bench.restart(false);
        await seeder.reload();
        await waitReady(seeder);
        const cold: number[] = [];
        const raw: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          raw.push((await rawChannelTransfer(browser, total)).ms);
          cold.push(await coldVisit(bench, manifest.address));
        }
        console.error(`cold 1 MB: ${cold.map(Math.round).join(', ')} ms; raw channel: ${raw.map(Math.round).join(', ')} ms`);
        console.log(`BENCH cold_1mb_vs_raw ${(median(cold) / median(raw)).toFixed(2)} x`);
        await bench.restart(true);
      }

      if (!only || only === 'warm_vs_http') {
        const warmPage = await (await browser.newContext()).newPage();
        await warmPage.goto(bench.siteUrl(manifest.address));
        await warmPage.waitForSelector('#title');
        await waitReady(warmPage);
        const warm: number[] = [];
        const http: number[] = [];
        // The same files from a plain static server (the origin seed's bytes are downloads, not pages).
        const plainSite = await serveSiteStatically(manifest, (sha) => bench.server.store.blobPath(sha));
        const plainUrl = plainSite.url;
        for (let i = 0; i < RUNS + 2; i++) {
          let t0 = Date.now();
          await warmPage.goto(bench.siteUrl(manifest.address), { waitUntil: 'load' });
          warm.push(Date.now() - t0);
          const plain = await (await browser.newContext()).newPage();
          t0 = Date.now();
          await plain.goto(plainUrl, { waitUntil: 'load' });
          http.push(Date.now() - t0);
          await plain.context().close();
        }
        console.error(`warm: ${warm.join(', ')} ms; plain HTTP: ${http.join(', ')} ms`);
        console.log(`BENCH warm_vs_http ${(median(warm) / median(http)).toFixed(2)} x`);
        await plainSite.close();
        await warmPage.context().close();
      }
      await seeder.context().close();
    }

    if (!only || only === 'throughput_50mb_vs_raw') {
      const files = siteFiles(50_000_000);
      const total = files.reduce((n, f) => n + f.bytes.length, 0);
      const { manifest } = await publish(bench.server.url, files, await generateKeyPair(), 1);
      console.error('50 MB: published; the seeder loads it from the origin');
      const seeder = await bench.seeder(manifest.address);
      await bench.restart(false);
      await seeder.reload();
      await seeder.waitForSelector('#title');
      await waitReady(seeder, 600_000);
      console.error('50 MB: seeder ready with the origin off; measuring');
      const raw = await rawChannelTransfer(browser, total);
      const ms = await coldVisit(bench, manifest.address, true);
      const p2pRate = total / ms;
      const rawRate = total / (raw.ms - raw.setupMs);
      console.error(`50 MB: p2p ${(p2pRate / 1000).toFixed(1)} MB/s (${ms} ms), raw channel ${(rawRate / 1000).toFixed(1)} MB/s`);
      console.log(`BENCH throughput_50mb_vs_raw ${(p2pRate / rawRate).toFixed(2)} x`);
      await seeder.context().close();
    }
  } finally {
    await bench.server?.close();
    await browser.close();
    await rm(bench.dataDir, { recursive: true, force: true });
  }
}
