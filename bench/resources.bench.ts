/**
 * Resource figures:
 * - upload_cap_worst_window: the worst 2-second window of a seeder capped at 200 kB/s, as
 *   a multiple of the cap (1.0 = exactly the cap), measured at the receiving visitor;
 * - idle_cpu_ms_30s: CPU time used by a browser seeding 5 open sites for 30 s with
 *   nobody downloading (Chromium's process CPU times);
 * - longest_task_ms_50mb: the longest main-thread task (Long Tasks API) while a 50 MB
 *   site is fetched, verified and stored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generateKeyPair, utf8 } from '../src/core/index.js';
import { startServer, type RunningServer } from '../signaling/server.js';
import { publish } from '../e2e/helpers/harness.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { DIST_DIR, setUploadLimit } from './lib/bench-server.js';

export const figures = ['upload_cap_worst_window', 'idle_cpu_ms_30s', 'longest_task_ms_50mb'];

function site(bytes: number, label: string) {
  const payload = new Uint8Array(bytes);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761 + label.length) >>> 24;
  return [
    { path: 'index.html', bytes: utf8(`<!doctype html><title>${label}</title><link rel="icon" href="data:,"><h1 id="title">${label}</h1>`) },
    { path: 'data/payload.bin', bytes: payload },
  ];
}

type State = { phase?: string; stats?: { fromPeers: number } };
const state = (page: Page): Promise<State> =>
  page.evaluate(() => {
    const e = (globalThis as unknown as { p2pSite?: { engine: { state: State; liveStats?: State['stats'] } } }).p2pSite?.engine;
    return e ? { phase: e.state.phase, stats: e.liveStats } : {};
  });

async function openReady(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('#title', { timeout: 300_000 });
  await page.waitForFunction(() => (globalThis as unknown as { p2pSite?: { engine: { state: { phase: string } } } }).p2pSite?.engine.state.phase === 'ready', null, { timeout: 300_000 });
  return page;
}

export default async function run(only?: string): Promise<void> {
  const browser: Browser = await launchChromium();
  const dataDir = await mkdtemp(join(tmpdir(), 'p2p-bench-res-'));
  let server: RunningServer = await startServer({ host: '127.0.0.1', port: 0, dataDir, distDir: DIST_DIR, log: () => {} });
  const port = server.port;
  const siteUrl = (a: string) => `http://${a}.p2p.localhost:${port}/`;
  try {
    if (!only || only === 'upload_cap_worst_window') {
      const { manifest } = await publish(server.url, site(5_000_000, 'capped'), await generateKeyPair(), 1);
      const seederContext = await browser.newContext();
      await setUploadLimit(seederContext, port, '200');
      const seeder = await openReady(seederContext, siteUrl(manifest.address));
      await server.close();
      server = await startServer({ host: '127.0.0.1', port, dataDir, distDir: DIST_DIR, origin: false, log: () => {} });
      await seeder.reload();
      await seeder.waitForSelector('#title');
      const visitor = await (await browser.newContext()).newPage();
      void visitor.goto(siteUrl(manifest.address));
      const samples: { t: number; bytes: number }[] = [];
      const t0 = Date.now();
      while (Date.now() - t0 < 20_000) {
        samples.push({ t: Date.now() - t0, bytes: (await state(visitor).catch(() => ({}) as State)).stats?.fromPeers ?? 0 });
        await visitor.waitForTimeout(250);
      }
      const first = samples.find((s) => s.bytes > 0)!;
      let worst = 0;
      for (const a of samples) {
        if (a.t < first.t + 2000) continue;
        const b = samples.find((s) => s.t >= a.t + 2000);
        if (!b) break;
        worst = Math.max(worst, (b.bytes - a.bytes) / ((b.t - a.t) / 1000) / 200_000);
      }
      console.log(`BENCH upload_cap_worst_window ${worst.toFixed(2)} x`);
      await visitor.context().close();
      await seederContext.close();
      await server.close();
      server = await startServer({ host: '127.0.0.1', port, dataDir, distDir: DIST_DIR, log: () => {} });
    }

    if (!only || only === 'idle_cpu_ms_30s') {
      const context = await browser.newContext();
      const pages: Page[] = [];
      for (let i = 0; i < Number(process.env.IDLE_SITES ?? 5); i++) {
        const { manifest } = await publish(server.url, site(100_000, `idle ${i}`), await generateKeyPair(), 1);
        pages.push(await openReady(context, siteUrl(manifest.address)));
      }
      const cdp = await browser.newBrowserCDPSession();
      const cpu = async () => {
        // SystemInfo.getProcessInfo lists every Chromium process with its CPU time in seconds.
        const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
        return info.processInfo.filter((p) => p.type === 'renderer').reduce((n, p) => n + p.cpuTime, 0);
      };
      await new Promise((r) => setTimeout(r, 3000)); // let start-up work settle
      const before = await cpu();
      await new Promise((r) => setTimeout(r, 30_000));
      const used = (await cpu()) - before;
      const detail = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number; cpuTime: number }[] };
      console.error(detail.processInfo.map((p) => `${p.type}:${p.id}:${p.cpuTime.toFixed(1)}`).join(' '));
      console.log(`BENCH idle_cpu_ms_30s ${Math.round(used * 1000)} ms`);
      await context.close();
    }

    if (!only || only === 'longest_task_ms_50mb') {
      const { manifest } = await publish(server.url, site(50_000_000, 'large'), await generateKeyPair(), 1);
      const context = await browser.newContext();
      await context.addInitScript(() => {
        const w = window as unknown as { __longest: number };
        // Carried over from the boot page: starting at 0 here would let the site page's
        // first long task overwrite the boot page's figure.
        w.__longest = Number(sessionStorage.getItem('longest') ?? 0);
        new PerformanceObserver((list) => {
          const seen = JSON.parse(sessionStorage.getItem('long-tasks') ?? '[]') as string[];
          for (const e of list.getEntries()) {
            w.__longest = Math.max(w.__longest, e.duration);
            // Where each long task fell, for finding what to split next (printed to stderr).
            seen.push(`${location.pathname === '/' && performance.getEntriesByType('mark').some((m) => m.name === 'p2p:start') ? 'page' : 'site'}@${Math.round(e.startTime)}:${Math.round(e.duration)}`);
          }
          sessionStorage.setItem('longest', String(w.__longest));
          sessionStorage.setItem('long-tasks', JSON.stringify(seen.slice(-40)));
        }).observe({ type: 'longtask', buffered: true });
      });
      const page = await openReady(context, siteUrl(manifest.address));
      // The boot page recorded its longest task before reloading into the site.
      const longest = await page.evaluate(() => Math.max(Number(sessionStorage.getItem('longest') ?? 0), (window as unknown as { __longest: number }).__longest));
      console.error(`long tasks (page@start:ms): ${await page.evaluate(() => JSON.parse(sessionStorage.getItem('long-tasks') ?? '[]').join(' '))}`);
      console.log(`BENCH longest_task_ms_50mb ${Math.round(longest)} ms`);
      await context.close();
    }
  } finally {
    await server.close();
    await browser.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
