import { randomBytes } from 'node:crypto';
import type { Browser as PwBrowser } from 'playwright-core';
import { engineState as pwEngineState, openSite as pwOpenSite, originBytes, publishFixture, startTestServer, waitForPhase as pwWaitForPhase, watchErrors } from '../../e2e/helpers/harness.js';
import { engineState, launchFirefox, navigate, openSite, waitForPhase } from './firefox.js';
import { restartServer } from './server.js';

export type Direction = 'chromium-to-firefox' | 'firefox-to-chromium';

export interface TransferResult {
  direction: Direction;
  /** From the visitor's navigation to the site shown by its service worker. */
  loadMs: number;
  /** Bytes of the published site (the fixture plus `extraBytes`). */
  siteBytes: number;
  /** Bytes the origin seed sent for the site while the visitor loaded it (must be 0). */
  originBytes: number;
  /** Bytes the seeder's engine reports having uploaded. */
  seederUploaded: number;
  /** The version the visitor's engine shows. */
  visitorSeq?: number;
  title: string | null;
  errors: string[];
}

/**
 * One site, one seeder and one visitor in different browsers: the seeder loads the site
 * from the origin seed, the server restarts with the origin seed off, and the visitor
 * loads it, so every byte it gets comes over WebRTC from the other browser.
 * Each browser has its own profile (Firefox) or context (Chromium).
 */
export async function transferBetweenBrowsers(chromium: PwBrowser, direction: Direction, options: { extraBytes?: number; timeoutMs?: number; firefoxPrefs?: Record<string, unknown>; seederInBackground?: boolean } = {}): Promise<TransferResult> {
  const timeout = options.timeoutMs ?? 60_000;
  const ts = await startTestServer();
  const context = await chromium.newContext();
  // The seeder's tracker socket and its open request watching the server drop when the
  // server restarts with the origin off (reset, or refused while it is down); the
  // visitor's boot page reads once that the origin seed does not serve this version.
  const allow = [/WebSocket|NetworkError|can.t establish a connection|connection to ws:.*was interrupted while the page was loading|ERR_CONNECTION_(RESET|REFUSED)/, /503|origin seed does not serve/];
  const firefox = await launchFirefox({ allow, prefs: options.firefoxPrefs });
  try {
    const page = await context.newPage();
    const chromiumErrors = watchErrors(page, allow);
    const { bundle } = await publishFixture(ts.url, 1, undefined, (files) => {
      if (options.extraBytes) files.push({ path: 'media/blob.bin', bytes: new Uint8Array(randomBytes(options.extraBytes)) });
    });
    const address = bundle.manifest.address;
    const url = ts.siteUrl(address);
    const siteBytes = bundle.manifest.files.reduce((n, f) => n + f.size, 0);

    const seederReady = async () => {
      if (direction === 'chromium-to-firefox') await pwWaitForPhase(page, 'ready', timeout);
      else await waitForPhase(firefox.page, 'ready', timeout);
    };
    if (direction === 'chromium-to-firefox') await pwOpenSite(page, url);
    else await openSite(firefox.page, url, '#title', timeout);
    await seederReady();

    await restartServer(ts, false);
    // The seeder reloads so its page joins the restarted tracker at once (the library's
    // own reconnect backs off for minutes, see ENVIRONMENT.md).
    if (direction === 'chromium-to-firefox') await page.reload();
    else await navigate(firefox.page, () => firefox.page.reload());
    await seederReady();
    const originBefore = await originBytes(ts.url, address);

    if (options.seederInBackground) {
      // Another tab in front of the seeder's, as when a visitor keeps a site open in a tab
      // they are not looking at (Firefox then throttles that tab's timers).
      const front = direction === 'firefox-to-chromium' ? await firefox.browser.newPage() : await context.newPage();
      await front.bringToFront();
    }
    const started = Date.now();
    const visitor = direction === 'chromium-to-firefox' ? { firefox: firefox.page } : { chromium: page };
    if (visitor.firefox) await openSite(visitor.firefox, url, '#title', timeout);
    else await pwOpenSite(visitor.chromium!, url);
    const loadMs = Date.now() - started;
    const title = visitor.firefox ? await visitor.firefox.$eval('#title', (el) => el.textContent) : await visitor.chromium!.locator('#title').textContent();
    if (visitor.firefox) await waitForPhase(visitor.firefox, 'ready', timeout);
    else await pwWaitForPhase(visitor.chromium!, 'ready', timeout);
    const visitorSeq = (visitor.firefox ? await engineState(visitor.firefox) : await pwEngineState(visitor.chromium!)).manifest?.seq;
    // The seeder's counter is updated as pieces leave; give it a bounded moment to catch up.
    const uploaded = async () => ((direction === 'chromium-to-firefox' ? await pwEngineState(page) : await engineState(firefox.page)).stats?.uploaded ?? 0);
    let seederUploaded = await uploaded();
    for (let i = 0; i < 50 && seederUploaded < siteBytes; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seederUploaded = await uploaded();
    }
    return {
      direction,
      loadMs,
      siteBytes,
      originBytes: (await originBytes(ts.url, address)) - originBefore,
      seederUploaded,
      visitorSeq,
      title,
      errors: [...firefox.errors().map((e) => `firefox ${e}`), ...chromiumErrors().map((e) => `chromium ${e}`)],
    };
  } finally {
    await firefox.close();
    await context.close();
    await ts.stop();
  }
}
