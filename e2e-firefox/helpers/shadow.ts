import type { Page } from 'puppeteer-core';

/** Text of the first element matching `selector` inside the shadow root of `host`, or null. */
export async function shadowText(page: Page, host: string, selector: string): Promise<string | null> {
  return page.evaluate(
    (h: string, s: string) => document.querySelector(h)?.shadowRoot?.querySelector(s)?.textContent?.replace(/\s+/g, ' ').trim() ?? null,
    host,
    selector,
  );
}

/** Waits until `selector` exists inside the shadow root of `host`. */
export async function waitForShadow(page: Page, host: string, selector: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction((h: string, s: string) => Boolean(document.querySelector(h)?.shadowRoot?.querySelector(s)), { timeout, polling: 100 }, host, selector);
}

/** Clicks the element matching `selector` inside the shadow root of `host`. */
export async function clickShadow(page: Page, host: string, selector: string): Promise<void> {
  await page.evaluate(
    (h: string, s: string) => (document.querySelector(h)?.shadowRoot?.querySelector(s) as HTMLElement | null)?.click(),
    host,
    selector,
  );
}
