import type { BrowserContext, Page } from 'playwright-core';

const MARK = 'bench:first-navigation';

/**
 * Makes every top-level document of the context note, in its tab's sessionStorage, the
 * `performance.timeOrigin` (navigation start, ms since the epoch) of the first document of
 * that origin since the note was last cleared. The boot page and the site page it reloads
 * into share an origin and a tab, so the site page can tell when the visit began.
 * Call before the context's first navigation.
 */
export async function markFirstNavigation(context: BrowserContext): Promise<void> {
  await context.addInitScript((mark) => {
    if (window.top !== window) return; // the app's hidden frames in site pages
    if (location.protocol !== 'http:') return; // about:blank has no storage of its own
    if (!sessionStorage.getItem(mark)) sessionStorage.setItem(mark, String(performance.timeOrigin));
  }, MARK);
}

/**
 * Navigates to `url` and returns milliseconds from the navigation start of the visit's
 * first document to the first contentful paint of the document that shows the site:
 *
 *     (site.timeOrigin + site FCP startTime) - first document's timeOrigin
 *
 * both read in the browser, so no clock of this process is involved. "Shows the site"
 * means a document with the bench sites' `#title` element and, with `viaServiceWorker`,
 * controlled by a service worker: so for a p2p site the boot page's own "Loading…" paint
 * is never what is measured, only the paint of the real page it reloads into. For a plain
 * HTTP page it is the page's own FCP (one document: the difference of origins is 0).
 * The context must have `markFirstNavigation`; a page already on the origin (a warm visit)
 * has its note cleared first, so the new navigation is the first one.
 *
 * @throws playwright's TimeoutError when the site is not painted within `timeout`
 */
export async function navigateToPaint(page: Page, url: string, options: { viaServiceWorker: boolean; timeout?: number }): Promise<number> {
  if (page.url().startsWith('http')) await page.evaluate((mark) => sessionStorage.removeItem(mark), MARK);
  await page.goto(url, { waitUntil: 'commit', timeout: options.timeout ?? 120_000 });
  const ms = await page.waitForFunction(
    ({ mark, viaServiceWorker }) => {
      if (!document.getElementById('title')) return 0;
      if (viaServiceWorker && !navigator.serviceWorker?.controller) return 0;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const first = Number(sessionStorage.getItem(mark));
      if (!fcp || !first) return 0;
      // Never 0 in practice (a paint takes time); the epsilon keeps a falsy value from reading as "not yet".
      return Math.max(performance.timeOrigin + fcp.startTime - first, 0.001);
    },
    { mark: MARK, viaServiceWorker: options.viaServiceWorker },
    { timeout: options.timeout ?? 120_000, polling: 20 },
  );
  return (await ms.jsonValue()) as number;
}
