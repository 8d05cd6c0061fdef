import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../signaling/server.js';
import { waitReady, waitShown } from './visit.js';

/** The built app the benchmarks serve: `P2P_DIST` names another build folder than `dist`. */
export const DIST_DIR = process.env.P2P_DIST ?? 'dist';

/**
 * A signaling server on 127.0.0.1 with a data folder of its own. It starts on a free port
 * and keeps that port across `restart`, so pages that are open find it again.
 */
export class BenchServer {
  server!: RunningServer;
  port = 0;
  private constructor(readonly dataDir: string) {}

  /** Starts a server; `origin` turns the origin seed on (default) or off. */
  static async start(origin = true): Promise<BenchServer> {
    const bench = new BenchServer(await mkdtemp(join(tmpdir(), 'p2p-bench-')));
    await bench.listen(origin);
    return bench;
  }

  private async listen(origin: boolean): Promise<void> {
    this.server = await startServer({ host: '127.0.0.1', port: this.port, dataDir: this.dataDir, distDir: DIST_DIR, origin, log: () => {} });
    this.port = this.server.port;
  }

  /** Closes the server and starts it again on the same port and data folder. */
  async restart(origin: boolean): Promise<void> {
    await this.server.close();
    await this.listen(origin);
  }

  get url(): string {
    return this.server.url;
  }

  siteUrl(address: string): string {
    return `http://${address}.p2p.localhost:${this.port}/`;
  }

  async close(): Promise<void> {
    await this.server?.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * Sets the upload limit in the app's settings of this context ('' lifts it) and waits
 * until it is saved. Returns the app's page, which may be left open.
 */
export async function setUploadLimit(context: BrowserContext, port: number, kbPerSecond: string): Promise<Page> {
  const app = await context.newPage();
  await app.goto(`http://p2p.localhost:${port}/#settings`);
  const upload = app.getByLabel('Upload limit (kB/s)');
  await upload.fill(kbPerSecond);
  await upload.press('Tab');
  await app.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  return app;
}

/**
 * A visitor that loads the site (from wherever the server lets it) and keeps it open,
 * seeding. Its upload cap is lifted: the figures measure the protocol, not the default cap.
 */
export async function openSeeder(browser: Browser, bench: BenchServer, address: string, timeout = 600_000): Promise<Page> {
  const context = await browser.newContext();
  await setUploadLimit(context, bench.port, '');
  const page = await context.newPage();
  await page.goto(bench.siteUrl(address));
  await waitShown(page, timeout);
  await waitReady(page, timeout);
  return page;
}

/**
 * Restarts the server with the origin seed off and reloads the seeder so it joins the new
 * tracker at once (bittorrent-tracker's own reconnect backs off for minutes). From then on
 * every byte a visitor gets comes from the seeder.
 */
export async function originOffWithSeeder(bench: BenchServer, seeder: Page, timeout = 600_000): Promise<void> {
  await bench.restart(false);
  await seeder.reload();
  await waitShown(seeder, timeout);
  await waitReady(seeder, timeout);
}
