import type { Browser, Page } from 'playwright-core';

type EngineGlobal = { p2pSite?: { engine: { state: { phase: string } } } };

/** Waits until the page's engine holds every file of the version (phase "ready"). */
export async function waitReady(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as EngineGlobal).p2pSite?.engine.state.phase === 'ready', null, { timeout, polling: 20 });
}

/**
 * Waits until the site itself is shown: a document served by the service worker (after
 * the boot page's reload) with the bench sites' `#title`.
 */
export async function waitShown(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(() => Boolean(navigator.serviceWorker?.controller && document.getElementById('title')), null, { timeout, polling: 20 });
}

/**
 * A first visit in a fresh context: milliseconds from `page.goto` to the site shown by
 * the service worker (sites under 8 MB open only once every file is stored), or with
 * `untilReady`, to the engine holding every file. The context is closed afterwards.
 */
export async function coldVisit(browser: Browser, url: string, options: { untilReady?: boolean; timeout?: number } = {}): Promise<number> {
  const timeout = options.timeout ?? 600_000;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(url);
    await waitShown(page, timeout);
    if (options.untilReady) await waitReady(page, timeout);
    return Date.now() - t0;
  } finally {
    await context.close();
  }
}
