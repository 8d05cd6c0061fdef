import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iceConfigFromFlags } from '../signaling/ice-flags.js';
import { startServer, type RunningServer } from '../signaling/server.js';
import { generateKeyPair, utf8, type Manifest } from '../src/core/index.js';
import { startCoturn, type Coturn } from './helpers/coturn.js';
import { newVisitor, openSite, publish, waitForPhase } from './helpers/harness.js';

/**
 * NAT traversal the operator controls: a real coturn on 127.0.0.1 with the TURN REST
 * scheme, the server started with `--ice-server` and `--turn-secret`. With "relay only"
 * a site passes between two visitors through the relay; without it they connect
 * directly; with "origin only" no TURN credential is ever asked for.
 */
test.describe.configure({ mode: 'serial' });

let turn: Coturn;
let server: RunningServer;
let dataDir: string;
let port = 0;

async function start(origin: boolean, ttlSeconds?: number): Promise<void> {
  const flags = { 'ice-server': [`stun:127.0.0.1:${turn.port}`, `turn:127.0.0.1:${turn.port}?transport=udp`], 'turn-secret': turn.secret };
  const ice = iceConfigFromFlags(ttlSeconds ? { ...flags, 'turn-ttl': String(ttlSeconds) } : flags, {});
  server = await startServer({ host: '127.0.0.1', port, dataDir, distDir: process.env.P2P_DIST ?? 'dist', origin, ice, log: () => {} });
  port = server.port;
}

test.beforeAll(async () => {
  turn = await startCoturn();
  dataDir = await mkdtemp(join(tmpdir(), 'p2p-e2e-turn-'));
  await start(true);
});
test.afterAll(async () => {
  await server?.close();
  await turn?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const siteUrl = (address: string) => `http://${address}.p2p.localhost:${port}/`;
const PAYLOAD = 600_000;
/** With the origin seed off, the visitor's webseed requests are answered 503: expected. */
const ORIGIN_OFF = [/WebSocket/, /status of 503/];

function site(label: string) {
  const payload = new Uint8Array(PAYLOAD);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761 + label.length) >>> 24;
  return [
    { path: 'index.html', bytes: utf8(`<!doctype html><title>${label}</title><link rel="icon" href="data:,"><h1 id="title">${label}</h1>`) },
    { path: 'data/payload.bin', bytes: payload },
  ];
}

/** What one RTCPeerConnection's selected candidate pair was, as last seen (see `recordSelectedPairs`). */
interface PairRecord {
  local: string;
  remote: string;
  bytesReceived: number;
  bytesSent: number;
  policy: string;
  iceServers: string[];
  /** TURN user names (`<expiry>:<id>`) the connection was made with. */
  usernames: string[];
}

/**
 * Keeps a reference to every RTCPeerConnection a page makes (the constructor is wrapped
 * before any script runs) and, while each is connected, writes its selected candidate
 * pair (from getStats) to the origin's sessionStorage, which survives the boot page's
 * reload. URLs and TURN user names (an expiry and a random id) are kept, never passwords.
 */
async function recordSelectedPairs(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const RTC = window.RTCPeerConnection;
    let made = 0;
    const save = (index: number, record: unknown) => {
      const all = JSON.parse(sessionStorage.getItem('test-pairs') ?? '{}') as Record<string, unknown>;
      all[`${performance.timeOrigin}-${index}`] = record;
      sessionStorage.setItem('test-pairs', JSON.stringify(all));
    };
    window.RTCPeerConnection = class extends RTC {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        const index = made++;
        const config = this.getConfiguration();
        const iceServers = (config.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
        const usernames = (config.iceServers ?? []).flatMap((s) => (s.username ? [s.username] : []));
        const look = async () => {
          const stats = await this.getStats();
          let transportPair: string | undefined;
          stats.forEach((r) => {
            if (r.type === 'transport' && r.selectedCandidatePairId) transportPair = r.selectedCandidatePairId;
          });
          const pair = transportPair ? stats.get(transportPair) : undefined;
          if (!pair) return;
          save(index, {
            local: stats.get(pair.localCandidateId)?.candidateType,
            remote: stats.get(pair.remoteCandidateId)?.candidateType,
            bytesReceived: pair.bytesReceived ?? 0,
            bytesSent: pair.bytesSent ?? 0,
            policy: config.iceTransportPolicy,
            iceServers,
            usernames,
          });
        };
        const timer = setInterval(() => {
          if (this.connectionState === 'closed' || this.connectionState === 'failed') clearInterval(timer);
          else if (this.connectionState === 'connected') void look().catch(() => undefined);
        }, 150);
      }
    } as typeof RTCPeerConnection;
  });
}

async function pairs(page: Page): Promise<PairRecord[]> {
  return page.evaluate(() => Object.values(JSON.parse(sessionStorage.getItem('test-pairs') ?? '{}')) as PairRecord[]);
}

/** Opens the app in the visitor's context and sets its sharing settings through the panel. */
async function settle(context: BrowserContext, change: (app: Page) => Promise<unknown>): Promise<void> {
  const app = await context.newPage();
  await app.goto(`http://p2p.localhost:${port}/#settings`);
  await expect(app.getByRole('button', { name: /Stop sharing|Resume sharing/ })).toBeVisible();
  await change(app);
  await expect(app.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await app.close();
}

/**
 * A seeder that got the site from the origin, then the server restarted without the
 * origin seed, so a second visitor can get the site only from the seeder.
 */
async function seededSite(browser: import('@playwright/test').Browser, label: string, ttlSeconds?: number): Promise<{ manifest: Manifest; seeder: Awaited<ReturnType<typeof newVisitor>> }> {
  await server.close();
  await start(true, ttlSeconds);
  const { manifest } = await publish(server.url, site(label), await generateKeyPair(), 1);
  // The server restarts under the seeder's open page: a request may find it down or be
  // cut (the long poll, /api/ice, the cache-quota frame's page, which the service worker
  // then reports as ERR_FAILED).
  const seeder = await newVisitor(browser, [/WebSocket/, /ERR_CONNECTION_(REFUSED|RESET)|ERR_FAILED/]);
  await openSite(seeder.page, siteUrl(manifest.address));
  await waitForPhase(seeder.page, 'ready');
  await server.close();
  await start(false, ttlSeconds);
  await seeder.page.reload();
  await waitForPhase(seeder.page, 'ready');
  return { manifest, seeder };
}

test('with "relay only" the site passes between two visitors through the operator\'s TURN relay', async ({ browser }) => {
  const { manifest, seeder } = await seededSite(browser, 'relayed');
  const visitor = await newVisitor(browser, ORIGIN_OFF);
  await recordSelectedPairs(visitor.context);
  await settle(visitor.context, (app) => app.getByLabel('Only relayed connections (TURN)').check());
  // The same watch the "origin only" test relies on sees the site page ask for credentials.
  const asked: string[] = [];
  visitor.context.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/ice') asked.push(new URL(r.url()).host);
  });

  await openSite(visitor.page, siteUrl(manifest.address));
  await waitForPhase(visitor.page, 'ready');
  await expect(visitor.page.locator('#title')).toHaveText('relayed');
  const seen = await pairs(visitor.page);
  console.log(`relay only: selected pairs ${JSON.stringify(seen.map(({ local, remote, bytesReceived }) => ({ local, remote, bytesReceived })))}`);
  // The site came from the seeder alone (no origin seed), over a pair with a relayed end
  // (the last sample may be up to 150 ms before the last byte).
  const carrying = seen.filter((p) => p.bytesReceived > PAYLOAD / 2);
  expect(carrying.length, 'a peer connection carried the site').toBeGreaterThan(0);
  for (const p of seen) {
    expect(p.policy).toBe('relay');
    expect(p.iceServers).toContain(`turn:127.0.0.1:${turn.port}?transport=udp`);
    expect([p.local, p.remote]).toContain('relay');
    expect(p.local).toBe('relay');
  }
  expect(asked).toContain(new URL(siteUrl(manifest.address)).host);
  expect(seeder.errors()).toEqual([]);
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
  await seeder.context.close();
});

test('without "relay only" two visitors connect directly, though the operator offers TURN', async ({ browser }) => {
  const { manifest, seeder } = await seededSite(browser, 'direct');
  const visitor = await newVisitor(browser, ORIGIN_OFF);
  await recordSelectedPairs(visitor.context);
  await openSite(visitor.page, siteUrl(manifest.address));
  await waitForPhase(visitor.page, 'ready');
  await expect(visitor.page.locator('#title')).toHaveText('direct');
  const seen = await pairs(visitor.page);
  console.log(`direct: selected pairs ${JSON.stringify(seen.map(({ local, remote, bytesReceived }) => ({ local, remote, bytesReceived })))}`);
  const carrying = seen.filter((p) => p.bytesReceived > PAYLOAD / 2);
  expect(carrying.length, 'a peer connection carried the site').toBeGreaterThan(0);
  for (const p of carrying) {
    expect(p.policy).toBe('all');
    // The operator's servers were offered...
    expect(p.iceServers).toContain(`turn:127.0.0.1:${turn.port}?transport=udp`);
    // ...and the direct path won: this browser's own address, and the peer's (a `.local`
    // name Chromium hides it behind is learned from the checks, so it shows as prflx).
    expect(p.local).toBe('host');
    expect(['host', 'prflx']).toContain(p.remote);
  }
  expect(seeder.errors()).toEqual([]);
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
  await seeder.context.close();
});

test('the visitor\'s own ICE servers replace the operator\'s; with "relay only" the operator\'s TURN is added to them', async ({ browser }) => {
  const { manifest, seeder } = await seededSite(browser, 'own servers');
  const visitor = await newVisitor(browser, ORIGIN_OFF);
  await recordSelectedPairs(visitor.context);
  const own = `stun:localhost:${turn.port}`;
  const app = await visitor.context.newPage();
  await app.goto(`http://p2p.localhost:${port}/#settings`);
  const field = app.getByLabel('Your own ICE servers (STUN/TURN)');
  const relayOnly = app.getByLabel('Only relayed connections (TURN)');
  const status = app.getByRole('status').filter({ hasText: /saved/i });
  // A bad line is refused with the reason, and nothing is saved.
  await field.fill('http://stun.example.org');
  await field.blur();
  await expect(status).toHaveText(/^Not saved: ICE server line 1: "http:\/\/stun.example.org" is not a STUN or TURN URL/);
  await field.fill(own);
  await field.blur();
  await expect(status).toHaveText(/^Saved/);
  await relayOnly.check();
  // Stored before the page goes away (a reload right after the click could cut the write).
  await expect
    .poll(() =>
      app.evaluate(
        () =>
          new Promise<boolean>((resolve) => {
            const open = indexedDB.open('p2p-settings');
            open.onsuccess = () => {
              const get = open.result.transaction('settings').objectStore('settings').get('resources');
              get.onsuccess = () => resolve(Boolean((get.result as { relayOnly?: boolean } | undefined)?.relayOnly));
              get.onerror = () => resolve(false);
            };
            open.onerror = () => resolve(false);
          }),
      ),
    )
    .toBe(true);
  // Both are kept: the panel shows them again after a reload.
  await expect(async () => {
    await app.reload();
    await expect(field).toHaveValue(own, { timeout: 2000 });
    await expect(relayOnly).toBeChecked({ timeout: 2000 });
  }).toPass({ timeout: 20_000 });
  await app.close();
  await openSite(visitor.page, siteUrl(manifest.address));
  await waitForPhase(visitor.page, 'ready');
  await expect(visitor.page.locator('#title')).toHaveText('own servers');
  const seen = await pairs(visitor.page);
  expect(seen.filter((p) => p.bytesReceived > PAYLOAD / 2).length, 'a peer connection carried the site').toBeGreaterThan(0);
  for (const p of seen) {
    expect(p.iceServers).toEqual([own, `turn:127.0.0.1:${turn.port}?transport=udp`]);
    expect(p.local).toBe('relay');
  }
  expect(seeder.errors()).toEqual([]);
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
  await seeder.context.close();
});

/** The TURN user name in the page engine's live configuration (see src/swarm/operator-ice.ts). */
function liveTurnUser(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const engine = (globalThis as unknown as { p2pSite?: { engine: { ice?: { live?: { config: RTCConfiguration } } } } }).p2pSite?.engine;
    return engine?.ice?.live?.config.iceServers?.find((s) => s.username)?.username;
  });
}

test('a relay-only page open past its TURN credential\'s expiry relays new connections with the refreshed one', async ({ browser }) => {
  test.setTimeout(240_000);
  // Credentials for 60 s: the page asks again at 48 s, and coturn refuses the old ones after 60 s.
  const { manifest, seeder } = await seededSite(browser, 'long open', 60);
  const relayed = await newVisitor(browser, ORIGIN_OFF);
  await recordSelectedPairs(relayed.context);
  await settle(relayed.context, (app) => app.getByLabel('Only relayed connections (TURN)').check());
  await openSite(relayed.page, siteUrl(manifest.address));
  await waitForPhase(relayed.page, 'ready');
  await relayed.page.waitForFunction(() => (globalThis as unknown as { p2pSite?: { engine: { ice?: { live?: unknown } } } }).p2pSite?.engine.ice?.live !== undefined);
  const first = (await liveTurnUser(relayed.page))!;
  expect(first).toMatch(/^\d+:/);
  const firstExpiry = Number(first.split(':')[0]) * 1000;
  // The refresh, then the old credential's end: signals in the page, not sleeps here.
  await relayed.page.waitForFunction(
    ([old, expiry]) => {
      const engine = (globalThis as unknown as { p2pSite?: { engine: { ice?: { live?: { config: RTCConfiguration } } } } }).p2pSite?.engine;
      const user = engine?.ice?.live?.config.iceServers?.find((s) => s.username)?.username;
      return user !== undefined && user !== old && Date.now() > (expiry as number) + 1000;
    },
    [first, firstExpiry] as const,
    { timeout: 120_000, polling: 500 },
  );
  const refreshed = (await liveTurnUser(relayed.page))!;
  expect(Number(refreshed.split(':')[0])).toBeGreaterThan(Number(first.split(':')[0]));

  // The seeder leaves: a newcomer can get the site only from the relay-only page, which
  // must allocate a relay now, with the refreshed credential (the first one has expired).
  await seeder.context.close();
  const newcomer = await newVisitor(browser, ORIGIN_OFF);
  await openSite(newcomer.page, siteUrl(manifest.address));
  await waitForPhase(newcomer.page, 'ready');
  await expect(newcomer.page.locator('#title')).toHaveText('long open');
  const seen = await pairs(relayed.page);
  const carrying = seen.filter((p) => p.bytesSent > PAYLOAD / 2);
  console.log(`after the refresh: ${JSON.stringify(carrying.map(({ local, remote, bytesSent, usernames }) => ({ local, remote, bytesSent, usernames })))}`);
  expect(carrying.length, 'the relay-only page sent the site to the newcomer').toBeGreaterThan(0);
  for (const p of carrying) {
    expect(p.local).toBe('relay');
    expect(p.usernames).toEqual([refreshed]);
  }
  expect(relayed.errors()).toEqual([]);
  expect(newcomer.errors()).toEqual([]);
  await newcomer.context.close();
  await relayed.context.close();
});

test('"origin only" never asks for TURN credentials and opens no peer connection', async ({ browser }) => {
  await server.close();
  await start(true);
  const { manifest } = await publish(server.url, site('private'), await generateKeyPair(), 1);
  const visitor = await newVisitor(browser);
  await recordSelectedPairs(visitor.context);
  await visitor.context.addInitScript(() => {
    const RTC = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends RTC {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        sessionStorage.setItem('test-rtc', String(Number(sessionStorage.getItem('test-rtc') ?? 0) + 1));
        super(...args);
      }
    } as typeof RTCPeerConnection;
  });
  const asked: string[] = [];
  visitor.context.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/ice') asked.push(r.url());
  });
  await settle(visitor.context, (app) => app.getByLabel('How this browser takes part').selectOption('origin-only'));
  await openSite(visitor.page, siteUrl(manifest.address));
  await waitForPhase(visitor.page, 'ready');
  await expect(visitor.page.locator('#title')).toHaveText('private');
  expect(await visitor.page.evaluate(() => Number(sessionStorage.getItem('test-rtc') ?? 0))).toBe(0);
  expect(asked).toEqual([]);
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
});
