import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/**
 * Prefs for Debian's Firefox ESR driven headless on a CI machine with no desktop and no
 * internet. The WebRTC ones make two browsers on one machine reach each other:
 * - `media.peerconnection.ice.obfuscate_host_addresses` false: Firefox otherwise hides its
 *   host candidates behind mDNS `.local` names, and a headless box has no mDNS responder,
 *   so the other browser cannot resolve them and ICE fails (Chromium does the same; it
 *   resolves its own names but not Firefox's).
 * - `media.peerconnection.ice.loopback` true: Firefox leaves 127.0.0.1 out of its
 *   candidates by default, which leaves only the machine's one other
 *   interface.
 * The rest keep Firefox from reaching the network at start and from prompting.
 */
export const FIREFOX_PREFS: Record<string, unknown> = {
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.loopback': true,
  'media.navigator.permission.disabled': true,
  'browser.shell.checkDefaultBrowser': false,
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'extensions.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
};

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** A Firefox with its own profile folder (its own storage), removed on close. */
export interface FirefoxPeer {
  browser: Browser;
  page: Page;
  errors: () => string[];
  close(): Promise<void>;
}

/** Launches headless Firefox over WebDriver BiDi with a fresh profile and opens one page. */
export async function launchFirefox(options: { prefs?: Record<string, unknown>; allow?: RegExp[] } = {}): Promise<FirefoxPeer> {
  const profile = await mkdtemp(join(tmpdir(), 'p2p-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX_PATH,
    headless: true,
    userDataDir: profile,
    // A home of its own too: Firefox also keeps caches under ~/.cache/mozilla and
    // ~/.config/mozilla, and what earlier runs left there made later runs' service
    // workers fail to load our assets ("A ServiceWorker intercepted the request and
    // encountered an unexpected error"). Removed with the profile.
    env: { ...process.env, HOME: profile, XDG_CACHE_HOME: join(profile, '.cache'), XDG_CONFIG_HOME: join(profile, '.config') },
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...options.prefs },
  });
  const page = await browser.newPage();
  const errors = watchPage(page, options.allow ?? []);
  let closed = false;
  return {
    browser,
    page,
    errors,
    async close() {
      if (closed) return;
      closed = true;
      // browser.close() waits for Firefox and its content processes to exit.
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Page errors and console errors, less the ones a test expects (STYLE.md rule 17). */
export function watchPage(page: Page, allow: RegExp[]): () => string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => {
    const text = `pageerror: ${err instanceof Error ? err.message : String(err)}`;
    if (!allow.some((re) => re.test(text))) errors.push(text);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allow.some((re) => re.test(msg.text()))) errors.push(`console: ${msg.text()}`);
  });
  return () => errors;
}

export interface EngineSnapshot {
  phase: string;
  stats?: { fromPeers: number; fromOrigin: number; peers: number; uploaded: number; bytesTotal?: number };
  manifest?: { seq: number };
  updateReady: boolean;
  error?: { code: string };
}

/** The engine's state in a page (`p2pSite.engine.state`), as e2e/helpers/harness.ts reads it. */
export async function engineState(page: Page): Promise<EngineSnapshot> {
  return page.evaluate(() => {
    const engine = (globalThis as unknown as { p2pSite?: { engine: { state: Record<string, unknown>; liveStats?: unknown } } }).p2pSite?.engine;
    if (!engine) return { phase: 'none', updateReady: false };
    return JSON.parse(JSON.stringify({ ...engine.state, stats: engine.liveStats ?? engine.state.stats })) as EngineSnapshot;
  });
}

/** Waits until the page's engine reaches `phase`. */
export async function waitForPhase(page: Page, phase: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (p: string) => (globalThis as unknown as { p2pSite?: { engine: { state: { phase: string } } } }).p2pSite?.engine.state.phase === p,
    { timeout, polling: 100 },
    phase,
  );
}

/** Opens a site and waits until the service worker serves it (after the boot page's reload). */
export async function openSite(page: Page, url: string, ready = '#title', timeout = 60_000): Promise<void> {
  await page.goto(url);
  await page.waitForSelector(ready, { timeout });
  await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller), { timeout, polling: 100 });
}

/** The text of a selector, or null. */
export async function textOf(page: Page, selector: string): Promise<string | null> {
  return page.evaluate((s: string) => document.querySelector(s)?.textContent ?? null, selector);
}
