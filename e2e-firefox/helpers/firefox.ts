import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';

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
  // P2P_FIREFOX_DEBUG=1 prints Firefox's output, with every console message of the pages
  // and of the service workers (BiDi reports only the pages').
  const debug = process.env.P2P_FIREFOX_DEBUG === '1';
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX_PATH,
    headless: true,
    // Everything Firefox keeps (HTTP cache, service workers, Cache API, IndexedDB) is in
    // the profile folder, so each peer starts empty.
    userDataDir: profile,
    dumpio: debug,
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...(debug ? { 'devtools.console.stdout.content': true, 'browser.dom.window.dump.enabled': true } : {}), ...options.prefs },
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

/**
 * What Firefox reports to a document about the loads that a navigation away from it
 * cancelled; Chromium reports none of them. A chunk the runtime was still importing
 * through the service worker ends in "A ServiceWorker intercepted the request and
 * encountered an unexpected error" (the worker's answer could not be copied into a
 * request that was cancelled: BodyComplete with a failed status in Firefox's
 * FetchEventOp) and a rejected `import()`; a tracker socket still connecting ends in "was
 * interrupted while the page was loading" or "can't establish a connection to the server
 * at ws://…". From the document being left, none of it is a failure of the site or of the
 * page that replaces it; from the document shown, the same words are a real failure.
 */
const CANCELLED_BY_NAVIGATION = [
  /A ServiceWorker intercepted the request and encountered an unexpected error/,
  /error loading dynamically imported module/,
  /was interrupted while the page was loading/,
  /can.t establish a connection to the server at ws:/,
];

/** A WebDriver BiDi log entry (log.entryAdded), as puppeteer-core's browsing context passes it on. */
interface BidiLogEntry {
  type: string;
  level: string;
  text: string | null;
  source: { realm: string };
}

/** The part of puppeteer-core 24's BiDi browsing context (`frame.browsingContext`, internal) that watchPage reads. */
interface BidiBrowsingContext {
  on(event: 'navigation', listener: () => void): unknown;
  on(event: 'log', listener: (event: { entry: BidiLogEntry }) => void): unknown;
  /** The window realm of the document the context shows now; its `id` changes with each document. */
  defaultRealm: { id: string };
}

function bidiContext(frame: Frame): BidiBrowsingContext {
  const context = (frame as unknown as { browsingContext?: Partial<BidiBrowsingContext> }).browsingContext;
  if (typeof context?.on !== 'function' || typeof context.defaultRealm?.id !== 'string') {
    throw new TypeError('watchPage: expected puppeteer-core 24\'s BiDi frame.browsingContext (on, defaultRealm.id), got none; pin puppeteer-core 24 or read the log entries another way');
  }
  return context as BidiBrowsingContext;
}

/**
 * Page errors and console errors of the page and its frames, less the ones a test expects
 * (STYLE.md rule 17) and less the reports of loads cancelled by navigating away from a
 * document (`CANCELLED_BY_NAVIGATION`). BiDi tells which document an entry comes from (its
 * realm) but puppeteer's `pageerror` and `console` events do not, and Firefox delivers those
 * reports while, or after, the next document loads, so they are read here from the log
 * entries themselves: an entry of a document that a navigation has begun to leave, saying
 * that one of its loads was cancelled, is dropped. Everything else counts.
 */
export function watchPage(page: Page, allow: RegExp[]): () => string[] {
  const errors: string[] = [];
  const leaving = new Set<string>();
  const contexts = new Map<Frame, BidiBrowsingContext>();
  const watch = (frame: Frame) => {
    const context = bidiContext(frame);
    contexts.set(frame, context);
    context.on('navigation', () => {
      // Navigating the top document leaves the documents of all its frames too.
      for (const left of frame === page.mainFrame() ? contexts.values() : [context]) leaving.add(left.defaultRealm.id);
    });
    context.on('log', ({ entry }) => {
      const text = entry.type === 'javascript' ? `pageerror: ${entry.text ?? ''}` : entry.type === 'console' && entry.level === 'error' ? `console: ${entry.text ?? ''}` : undefined;
      if (!text) return;
      if (leaving.has(entry.source.realm) && CANCELLED_BY_NAVIGATION.some((re) => re.test(text))) {
        if (process.env.P2P_FIREFOX_DEBUG === '1') console.log(`[firefox] a document being left reported: ${text}`);
        return;
      }
      if (!allow.some((re) => re.test(text))) errors.push(text);
    });
  };
  watch(page.mainFrame());
  page.on('frameattached', watch);
  page.on('framedetached', (frame) => contexts.delete(frame));
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

/**
 * Runs a navigation (`() => page.goto(url)`, `() => page.reload()`) and waits for the
 * document it loads. Firefox's BiDi fails `browsingContext.navigate` and `reload` with
 * NS_BINDING_ABORTED when another navigation interrupts them (a boot page reloading itself
 * before its load event), and here also for some that go on and load (the document being
 * left still had loads in flight); then the next document's load is awaited instead, and the
 * test's own checks say whether it is the one expected.
 */
export async function navigate(page: Page, go: () => Promise<unknown>, timeout = 30_000): Promise<void> {
  const mark = () => {
    (globalThis as { p2pTestLeft?: boolean }).p2pTestLeft = true;
  };
  // A document already being left has nothing to mark.
  await page.evaluate(mark).catch(() => undefined);
  try {
    await go();
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes('NS_BINDING_ABORTED')) throw err;
    await page.waitForFunction(() => !(globalThis as { p2pTestLeft?: boolean }).p2pTestLeft && document.readyState === 'complete', { timeout, polling: 100 });
  }
}

/** Opens a site and waits until the service worker serves it (after the boot page's reload). */
export async function openSite(page: Page, url: string, ready = '#title', timeout = 60_000): Promise<void> {
  await navigate(page, () => page.goto(url), timeout);
  await page.waitForSelector(ready, { timeout });
  await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller), { timeout, polling: 100 });
}

/** The text of a selector, or null. */
export async function textOf(page: Page, selector: string): Promise<string | null> {
  return page.evaluate((s: string) => document.querySelector(s)?.textContent ?? null, selector);
}
