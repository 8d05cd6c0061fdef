/**
 * First visits against plain HTTP, each a ratio of medians of 5 interleaved pairs:
 * - first_visit_small_vs_http: a 7-file site of about 320 kB (lib/sites.ts `smallSite`);
 * - first_visit_1mb_vs_http: the 1 MB bench site of visit.bench.ts.
 *
 * A: a first visit of a newly published site (its own key, so no one else holds it) in a
 * fresh browser context, origin seed on, no peers: from the navigation start of the boot
 * page to the first contentful paint of the site's page that the service worker serves
 * after the boot page's reload (lib/paint.ts `navigateToPaint`: the site document's
 * timeOrigin + FCP startTime, minus the boot document's timeOrigin).
 * B: the same files from a static server on 127.0.0.1 (lib/static-site.ts) in a fresh
 * context: from navigation start to that page's first contentful paint.
 */
import { generateKeyPair, type BundleInputFile, type Manifest } from '../src/core/index.js';
import { publish } from '../e2e/helpers/harness.js';
import { launchChromium } from '../test/helpers/chromium.js';
import type { Browser } from 'playwright-core';
import { BenchServer } from './lib/bench-server.js';
import { markFirstNavigation, navigateToPaint } from './lib/paint.js';
import { siteFiles, smallSite } from './lib/sites.js';
import { serveSiteStatically } from './lib/static-site.js';
import { interleave, printRatio } from './lib/stats.js';

export const figures = ['first_visit_small_vs_http', 'first_visit_1mb_vs_http'];

const PAIRS = 5;

/** A fresh context, one navigation to `url` measured to the site's first contentful paint. */
async function freshVisit(browser: Browser, url: string, viaServiceWorker: boolean): Promise<number> {
  const context = await browser.newContext();
  try {
    await markFirstNavigation(context);
    return await navigateToPaint(await context.newPage(), url, { viaServiceWorker, timeout: 120_000 });
  } finally {
    await context.close();
  }
}

async function firstVisitVsHttp(browser: Browser, bench: BenchServer, name: string, files: (seed: number) => BundleInputFile[]): Promise<void> {
  const manifests: Manifest[] = [];
  for (let i = 0; i < PAIRS; i++) manifests.push((await publish(bench.url, files(i), await generateKeyPair(), 1)).manifest);
  const size = manifests[0].files.reduce((n, f) => n + f.size, 0);
  console.error(`${name}: ${manifests[0].files.length} files, ${size} bytes`);
  const plain = await Promise.all(manifests.map((m) => serveSiteStatically(m, (sha) => bench.server.store.blobPath(sha))));
  try {
    const { a: p2p, b: http } = await interleave(
      PAIRS,
      (i) => freshVisit(browser, bench.siteUrl(manifests[i].address), true),
      (i) => freshVisit(browser, plain[i].url, false),
    );
    printRatio(name, { label: 'first visit (origin seed, no peers), to the site page FCP', ms: p2p }, { label: 'plain HTTP, to FCP', ms: http });
  } finally {
    await Promise.all(plain.map((p) => p.close()));
  }
}

export default async function run(only?: string): Promise<void> {
  const browser = await launchChromium();
  const bench = await BenchServer.start(true);
  try {
    if (!only || only === 'first_visit_small_vs_http') await firstVisitVsHttp(browser, bench, 'first_visit_small_vs_http', smallSite);
    if (!only || only === 'first_visit_1mb_vs_http') await firstVisitVsHttp(browser, bench, 'first_visit_1mb_vs_http', (seed) => siteFiles(1_000_000, seed));
  } finally {
    await bench.close();
    await browser.close();
  }
}
