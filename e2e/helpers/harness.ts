import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { buildBundle, generateKeyPair, type Bundle, type BundleInputFile, type KeyPair } from '../../src/core/index.js';
import { startServer, type RunningServer } from '../../signaling/server.js';
import { FIXTURE_SITE, readSiteFolder } from './site-files.js';

/** A signaling server on a free port with its own data folder, for one test file. */
export interface TestServer {
  server: RunningServer;
  port: number;
  url: string;
  dataDir: string;
  /** The app, at its canonical host `p2p.localhost` (sites are its subdomains). */
  appUrl: string;
  siteUrl(address: string, path?: string): string;
  stop(): Promise<void>;
}

export async function startTestServer(options: { origin?: boolean } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'p2p-e2e-'));
  const server = await startServer({ host: '127.0.0.1', port: 0, dataDir, distDir: process.env.P2P_DIST ?? 'dist', origin: options.origin ?? true, log: () => {} });
  return {
    server,
    port: server.port,
    url: server.url,
    dataDir,
    appUrl: `http://p2p.localhost:${server.port}/`,
    siteUrl: (address, path = '/') => `http://${address}.p2p.localhost:${server.port}${path}`,
    async stop() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Publishes files to the server the way the CLI does: blobs first, then the signed manifest. */
export async function publish(serverUrl: string, files: BundleInputFile[], key: KeyPair, seq: number, fallback?: string, entry?: string): Promise<Bundle> {
  const bundle = await buildBundle({ files, secretKey: key.secretKey, seq, fallback, entry });
  for (const { file, bytes } of bundle.files) {
    const res = await fetch(`${serverUrl}/api/blobs/${file.sha256}`, { method: 'PUT', body: new Blob([bytes as BlobPart]) });
    if (!res.ok) throw new Error(`blob upload failed: ${res.status} ${await res.text()}`);
  }
  const res = await fetch(`${serverUrl}/api/sites/${bundle.manifest.address}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(bundle.manifest),
  });
  if (!res.ok) throw new Error(`manifest upload failed: ${res.status} ${await res.text()}`);
  return bundle;
}

export async function publishFixture(serverUrl: string, seq = 1, key?: KeyPair, edit?: (files: BundleInputFile[]) => void): Promise<{ bundle: Bundle; key: KeyPair }> {
  const k = key ?? (await generateKeyPair());
  const files = await readSiteFolder(FIXTURE_SITE);
  edit?.(files);
  const fallback = files.some((f) => f.path === '404.html') ? '404.html' : undefined;
  return { bundle: await publish(serverUrl, files, k, seq, fallback), key: k };
}

/**
 * Collects page errors and console errors; a test fails on any it did not expect
 * (STYLE.md rule 17). `allow` lists patterns of messages the test expects.
 */
export function watchErrors(page: Page, allow: RegExp[] = []): () => string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  const failed: string[] = [];
  page.on('response', (res) => {
    if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
  });
  // Loads that got no response at all (a socket error, say) are named too.
  page.on('requestfailed', (req) => failed.push(`${req.failure()?.errorText ?? 'failed'} ${req.url()}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || allow.some((re) => re.test(msg.text()))) return;
    // Chromium logs failed loads without their URL; name the responses that failed.
    const detail = /Failed to load resource/.test(msg.text()) && failed.length ? ` [${failed.join(', ')}]` : '';
    errors.push(`console: ${msg.text()}${detail}`);
  });
  return () => errors;
}

/** A visitor: one browser context (its own storage), one page. */
export async function newVisitor(browser: Browser, allow: RegExp[] = []): Promise<{ context: BrowserContext; page: Page; errors: () => string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  return { context, page, errors: watchErrors(page, allow) };
}

/** Opens a site and waits until the service worker serves it (after the boot page's reload). */
export async function openSite(page: Page, url: string, ready = '#title'): Promise<void> {
  await page.goto(url);
  await page.waitForSelector(ready, { timeout: 60_000 });
  await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
}

/** The engine's state in a page (exposed by the runtime as `p2pSite.engine.state`). */
export async function engineState(page: Page): Promise<{ phase: string; stats?: { fromPeers: number; fromOrigin: number; peers: number; uploaded: number }; updateReady: boolean; serverReachable?: boolean; manifest?: { seq: number }; sharing?: { usePeers: boolean; upload: boolean; reason?: string } }> {
  return page.evaluate(() => {
    const engine = (globalThis as unknown as { p2pSite?: { engine: { state: Record<string, unknown>; liveStats?: unknown } } }).p2pSite?.engine;
    if (!engine) return { phase: 'none', updateReady: false };
    return JSON.parse(JSON.stringify({ ...engine.state, stats: engine.liveStats ?? engine.state.stats }));
  });
}

/** Waits until the page's engine reaches `phase`. */
export async function waitForPhase(page: Page, phase: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (p) => (globalThis as unknown as { p2pSite?: { engine: { state: { phase: string } } } }).p2pSite?.engine.state.phase === p,
    phase,
    { timeout },
  );
}

/** Origin-seed bytes the server has sent for a site, from its Prometheus metrics. */
export async function originBytes(serverUrl: string, address: string): Promise<number> {
  const text = await (await fetch(`${serverUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`p2p_site_bytes{site="${address}",source="origin"} `));
  return line ? Number(line.trim().split(/\s+/).pop()) : 0;
}

/**
 * Counts every RTCPeerConnection made in any page or frame of a visitor (the constructor
 * wrapped before any script runs). The count is kept in each origin's sessionStorage, so
 * it survives the boot page's reload; read it with `peerConnectionsMade`.
 */
export async function countPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Original {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        sessionStorage.setItem('rtc-count', String(Number(sessionStorage.getItem('rtc-count') ?? 0) + 1));
      }
    } as typeof RTCPeerConnection;
  });
}

/** RTCPeerConnections made so far on the page's origin in this tab (see `countPeerConnections`). */
export async function peerConnectionsMade(page: Page): Promise<number> {
  return page.evaluate(() => Number(sessionStorage.getItem('rtc-count') ?? 0));
}
