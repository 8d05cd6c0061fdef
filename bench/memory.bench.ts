/**
 * large_file_rss_mb: memory while a visitor gets a 200 MB single file from one peer.
 *
 * The seeder (its own Chromium) loads the site with the origin seed on; the server then
 * restarts with the origin off and the seeder reloads, so every byte the visitor gets
 * comes from it over WebRTC. The visitor runs in another Chromium, so every process of
 * that browser is the visitor's: its renderers (the page, the boot page before it, the
 * app's hidden frames, the service worker) and its browser process (which holds Blob
 * data and IndexedDB's side). RSS from /proc for the pids CDP lists
 * (lib/process-memory.ts), sampled every 0.5 s.
 *
 * Growth is measured from the boot page's load event (its processes exist then, and the
 * transfer has not begun: how many bytes had arrived is printed): "during" is each
 * kind's peak from then until the engine holds every file, "after" 5 s later. The
 * figure is the worst of renderer and browser-process growth during the transfer.
 * stderr also has the growth over the same browser with its page on about:blank before
 * the visit (which adds starting the site's processes). The wait is bounded at 10 min;
 * a visit not done by then is said so and measured as far as it got.
 * LARGE_FILE_MB changes the size (for trying the benchmark out quickly).
 */
import { errors, type Page } from 'playwright-core';
import { generateKeyPair, utf8 } from '../src/core/index.js';
import { publish } from '../e2e/helpers/harness.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { BenchServer, openSeeder, originOffWithSeeder } from './lib/bench-server.js';
import { sampleMemory, watchPeak, type MemorySample } from './lib/process-memory.js';
import { filler } from './lib/sites.js';
import { waitReady, waitShown } from './lib/visit.js';

export const figures = ['large_file_rss_mb'];

const SIZE = Number(process.env.LARGE_FILE_MB ?? 200) * 1_000_000;
const WAIT_MS = 10 * 60_000;

const fromPeers = (page: Page): Promise<number> =>
  page.evaluate(() => (globalThis as unknown as { p2pSite?: { engine: { liveStats?: { fromPeers: number } } } }).p2pSite?.engine.liveStats?.fromPeers ?? 0).catch(() => 0);

export default async function run(): Promise<void> {
  const seederBrowser = await launchChromium();
  const visitorBrowser = await launchChromium();
  const bench = await BenchServer.start(true);
  try {
    const files = [
      { path: 'index.html', bytes: utf8('<!doctype html><title>large</title><link rel="icon" href="data:,"><h1 id="title">large</h1><a href="data/large.bin">the file</a>') },
      { path: 'data/large.bin', bytes: filler(SIZE) },
    ];
    const { manifest } = await publish(bench.url, files, await generateKeyPair(), 1);
    const url = bench.siteUrl(manifest.address);
    let t = Date.now();
    const seeder = await openSeeder(seederBrowser, bench, manifest.address, WAIT_MS);
    console.error(`large file: the seeder loaded ${SIZE / 1e6} MB from the origin in ${Date.now() - t} ms`);
    await originOffWithSeeder(bench, seeder, WAIT_MS);

    const cdp = await visitorBrowser.newBrowserCDPSession();
    const page = await (await visitorBrowser.newContext()).newPage();
    await page.goto('about:blank');
    await new Promise((r) => setTimeout(r, 2000)); // the new context's start-up settles
    const blank = await sampleMemory(cdp);
    let base = blank;
    let watch = watchPeak(cdp);
    t = Date.now();
    let done = true;
    try {
      await page.goto(url);
      await watch.stop();
      base = await sampleMemory(cdp);
      console.error(`large file: boot page loaded after ${Date.now() - t} ms with ${((await fromPeers(page)) / 1e6).toFixed(1)} MB from peers`);
      watch = watchPeak(cdp);
      await waitShown(page, WAIT_MS);
      await waitReady(page, Math.max(1000, WAIT_MS - (Date.now() - t)));
    } catch (err) {
      if (!(err instanceof errors.TimeoutError)) throw err;
      done = false;
    }
    const ms = Date.now() - t;
    const got = done ? SIZE : await fromPeers(page);
    const peak = await watch.stop();
    if (done) await new Promise((r) => setTimeout(r, 5000));
    const after = await sampleMemory(cdp);

    const grow = (s: MemorySample, k: keyof MemorySample, from = base) => (s[k] - from[k]).toFixed(0);
    console.error(
      `large file: ${done ? `${SIZE / 1e6} MB from one peer in ${ms} ms (${(SIZE / 1e3 / ms).toFixed(1)} MB/s)` : `did not finish in ${WAIT_MS / 1000} s: ${(got / 1e6).toFixed(0)} of ${SIZE / 1e6} MB from peers`}; ` +
        `at the boot page's load: renderers ${base.renderers.toFixed(0)} MB, browser ${base.browser.toFixed(0)} MB, others ${base.others.toFixed(0)} MB; ` +
        `growth during (peak) / after: renderers ${grow(peak, 'renderers')} / ${grow(after, 'renderers')} MB (largest single renderer ${grow(peak, 'largestRenderer')} / ${grow(after, 'largestRenderer')} MB), ` +
        `browser process ${grow(peak, 'browser')} / ${grow(after, 'browser')} MB, other processes ${grow(peak, 'others')} / ${grow(after, 'others')} MB; ` +
        `over about:blank (renderers ${blank.renderers.toFixed(0)} MB, browser ${blank.browser.toFixed(0)} MB): renderers ${grow(peak, 'renderers', blank)} / ${grow(after, 'renderers', blank)} MB, browser ${grow(peak, 'browser', blank)} / ${grow(after, 'browser', blank)} MB`,
    );
    const worst = Math.max(peak.renderers - base.renderers, peak.browser - base.browser);
    console.log(`BENCH large_file_rss_mb ${worst.toFixed(0)} MB`);
    await seeder.context().close();
  } finally {
    await bench.close();
    await visitorBrowser.close();
    await seederBrowser.close();
  }
}
