/**
 * Visiting figures, each a ratio of medians of runs interleaved in one process:
 * - cold_1mb_vs_raw: a first visit of a 1 MB site from one peer (origin off), from
 *   `page.goto` to the site shown by the service worker, over a bare RTCDataChannel
 *   carrying the same bytes plus its connection set-up; 5 pairs;
 * - warm_vs_http: opening a cached site again in the context that holds it, over a plain
 *   HTTP load of the same files from a static server in a fresh context each time (so no
 *   HTTP cache); both from navigation start to the first contentful paint of the page
 *   (lib/paint.ts says exactly what is read); 7 pairs;
 * - throughput_50mb_vs_raw: peer-to-peer throughput of a 50 MB site over the raw channel's.
 */
import type { Page } from 'playwright-core';
import { generateKeyPair } from '../src/core/index.js';
import { publish } from '../e2e/helpers/harness.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { BenchServer, openSeeder, originOffWithSeeder } from './lib/bench-server.js';
import { markFirstNavigation, navigateToPaint } from './lib/paint.js';
import { rawChannelTransfer } from './lib/raw-channel.js';
import { siteFiles } from './lib/sites.js';
import { serveSiteStatically } from './lib/static-site.js';
import { interleave, printRatio } from './lib/stats.js';
import { coldVisit, waitReady, waitShown } from './lib/visit.js';

export const figures = ['cold_1mb_vs_raw', 'warm_vs_http', 'throughput_50mb_vs_raw'];

const PAIRS = 5;

export default async function run(only?: string): Promise<void> {
  const browser = await launchChromium();
  const bench = await BenchServer.start(true);
  try {
    const key = await generateKeyPair();

    if (!only || only === 'cold_1mb_vs_raw' || only === 'warm_vs_http') {
      const files = siteFiles(1_000_000);
      const total = files.reduce((n, f) => n + f.bytes.length, 0);
      const { manifest } = await publish(bench.url, files, key, 1);
      const seeder = await openSeeder(browser, bench, manifest.address);

      if (!only || only === 'cold_1mb_vs_raw') {
        await originOffWithSeeder(bench, seeder);
        const { a: cold, b: raw } = await interleave(
          PAIRS,
          () => coldVisit(browser, bench.siteUrl(manifest.address)),
          async () => (await rawChannelTransfer(browser, total)).ms,
        );
        printRatio('cold_1mb_vs_raw', { label: 'cold 1 MB from one peer', ms: cold }, { label: 'raw channel', ms: raw });
        await bench.restart(true);
      }

      if (!only || only === 'warm_vs_http') {
        const warmContext = await browser.newContext();
        await markFirstNavigation(warmContext);
        const warmPage: Page = await warmContext.newPage();
        await warmPage.goto(bench.siteUrl(manifest.address));
        await waitShown(warmPage);
        await waitReady(warmPage);
        // The same files from a plain static server (the origin seed's bytes are downloads, not pages).
        const plainSite = await serveSiteStatically(manifest, (sha) => bench.server.store.blobPath(sha));
        const { a: warm, b: http } = await interleave(
          PAIRS + 2,
          () => navigateToPaint(warmPage, bench.siteUrl(manifest.address), { viaServiceWorker: true }),
          async () => {
            const context = await browser.newContext();
            await markFirstNavigation(context);
            try {
              return await navigateToPaint(await context.newPage(), plainSite.url, { viaServiceWorker: false });
            } finally {
              await context.close();
            }
          },
        );
        printRatio('warm_vs_http', { label: 'warm, to FCP', ms: warm }, { label: 'plain HTTP in a fresh context, to FCP', ms: http });
        await plainSite.close();
        await warmContext.close();
      }
      await seeder.context().close();
    }

    if (!only || only === 'throughput_50mb_vs_raw') {
      const files = siteFiles(50_000_000);
      const total = files.reduce((n, f) => n + f.bytes.length, 0);
      const { manifest } = await publish(bench.url, files, await generateKeyPair(), 1);
      console.error('50 MB: published; the seeder loads it from the origin');
      const seeder = await openSeeder(browser, bench, manifest.address);
      await originOffWithSeeder(bench, seeder);
      console.error('50 MB: seeder ready with the origin off; measuring');
      const raw = await rawChannelTransfer(browser, total);
      const ms = await coldVisit(browser, bench.siteUrl(manifest.address), { untilReady: true });
      const p2pRate = total / ms;
      const rawRate = total / (raw.ms - raw.setupMs);
      console.error(`50 MB: p2p ${(p2pRate / 1000).toFixed(1)} MB/s (${ms} ms), raw channel ${(rawRate / 1000).toFixed(1)} MB/s`);
      console.log(`BENCH throughput_50mb_vs_raw ${(p2pRate / rawRate).toFixed(2)} x`);
      await seeder.context().close();
    }
  } finally {
    await bench.close();
    await browser.close();
  }
}
