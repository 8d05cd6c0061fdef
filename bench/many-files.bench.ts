/**
 * Sites of many small files, a first visit each (fresh context, origin seed on, no peers,
 * a newly published site every run), median of 5:
 * - many_files_1000_ms: 1,000 files of 1 kB (lib/sites.ts `docsSite`: folders three
 *   levels deep, index.html linking some pages);
 * - many_files_3000_ms: the same with 3,000 files, when one visit opens within 3 minutes;
 *   otherwise a "# ... did not open in N s" line and no figure.
 * Measured from the boot page's navigation start to the first contentful paint of the
 * site's page served by the service worker (lib/paint.ts `navigateToPaint`).
 */
import type { Browser } from 'playwright-core';
import { errors } from 'playwright-core';
import { generateKeyPair } from '../src/core/index.js';
import { publish } from '../e2e/helpers/harness.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { BenchServer } from './lib/bench-server.js';
import { markFirstNavigation, navigateToPaint } from './lib/paint.js';
import { docsSite } from './lib/sites.js';
import { median } from './lib/stats.js';

export const figures = ['many_files_1000_ms', 'many_files_3000_ms'];

const RUNS = 5;
const TIMEOUT_S = { 1000: 120, 3000: 180 };

async function manyFiles(browser: Browser, bench: BenchServer, count: 1000 | 3000): Promise<void> {
  const name = `many_files_${count}_ms`;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = Date.now();
    const { manifest } = await publish(bench.url, docsSite(count, i), await generateKeyPair(), 1);
    if (i === 0) console.error(`${name}: published ${manifest.files.length} files in ${Date.now() - t} ms`);
    const context = await browser.newContext();
    try {
      await markFirstNavigation(context);
      times.push(await navigateToPaint(await context.newPage(), bench.siteUrl(manifest.address), { viaServiceWorker: true, timeout: TIMEOUT_S[count] * 1000 }));
    } catch (err) {
      if (!(err instanceof errors.TimeoutError)) throw err;
      console.log(`# ${name}: run ${i + 1} did not open in ${TIMEOUT_S[count]} s; no figure`);
      return;
    } finally {
      await context.close();
    }
  }
  console.error(`${name}: ${times.map(Math.round).join(', ')} ms`);
  console.log(`BENCH ${name} ${Math.round(median(times))} ms`);
}

export default async function run(only?: string): Promise<void> {
  const browser = await launchChromium();
  const bench = await BenchServer.start(true);
  try {
    if (!only || only === 'many_files_1000_ms') await manyFiles(browser, bench, 1000);
    if (!only || only === 'many_files_3000_ms') await manyFiles(browser, bench, 3000);
  } finally {
    await bench.close();
    await browser.close();
  }
}
