/**
 * A flash crowd: 6 visitors (6 fresh browser contexts) opening a newly published 2 MB site
 * at the same moment, origin seed on, no earlier seeder. 5 rounds, each with sites nobody
 * has seen, interleaved with a single visitor alone (alone, crowd, then crowd, alone, ...):
 * - flash_crowd_origin_share_6: bytes the origin seed sent for the crowd's site (the
 *   server's per-site counter, the one /metrics prints as p2p_site_bytes{source="origin"})
 *   divided by 6 × the site's size, in percent; median of the rounds. 100 % is no
 *   offload at all; about 17 % (one copy) is the floor;
 * - flash_crowd_slowdown_6: the median visitor's time to ready in a crowd over one visitor
 *   alone, ratio of medians over the rounds. Time to ready: from that visitor's
 *   `page.goto` to the site shown by the service worker and its engine holding every file.
 */
import type { Browser } from 'playwright-core';
import { generateKeyPair } from '../src/core/index.js';
import { publish } from '../e2e/helpers/harness.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { BenchServer } from './lib/bench-server.js';
import { siteFiles } from './lib/sites.js';
import { interleave, median, printRatio } from './lib/stats.js';
import { coldVisit } from './lib/visit.js';

export const figures = ['flash_crowd_origin_share_6', 'flash_crowd_slowdown_6'];

const VISITORS = 6;
const ROUNDS = 5;
const SITE_BYTES = 2_000_000;
const TIMEOUT = 180_000;

export default async function run(): Promise<void> {
  const browser: Browser = await launchChromium();
  const bench = await BenchServer.start(true);
  try {
    // A site of its own for every run, alone or crowd: nobody holds it, no HTTP cache has it.
    const newSite = async (seed: number) => (await publish(bench.url, siteFiles(SITE_BYTES - 400, seed), await generateKeyPair(), 1)).manifest;
    const shares: number[] = [];
    const { a: alone, b: crowd } = await interleave(
      ROUNDS,
      async (i) => coldVisit(browser, bench.siteUrl((await newSite(2 * i)).address), { untilReady: true, timeout: TIMEOUT }),
      async (i) => {
        const manifest = await newSite(2 * i + 1);
        const size = manifest.files.reduce((n, f) => n + f.size, 0);
        const times = await Promise.all(Array.from({ length: VISITORS }, () => coldVisit(browser, bench.siteUrl(manifest.address), { untilReady: true, timeout: TIMEOUT })));
        const origin = bench.server.metrics.originBytesFor(manifest.address);
        shares.push((100 * origin) / (VISITORS * size));
        console.error(`round ${i + 1}: crowd of ${VISITORS} ready in ${times.join(', ')} ms; origin sent ${origin} bytes of ${VISITORS} × ${size}`);
        return median(times);
      },
    );
    console.error(`origin share per round: ${shares.map((s) => s.toFixed(1)).join(', ')} %`);
    console.log(`BENCH flash_crowd_origin_share_6 ${median(shares).toFixed(1)} %`);
    printRatio('flash_crowd_slowdown_6', { label: 'median visitor of the crowd', ms: crowd }, { label: 'one visitor alone', ms: alone });
  } finally {
    await bench.close();
    await browser.close();
  }
}
