import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from 'idb-keyval';
import { buildBundle, generateKeyPair, sha256, toHex, utf8, type Bundle } from '../../src/core/index.js';
import { getBlob, getSite } from '../../src/store/site-cache.js';
import { normaliseSettings } from '../../src/swarm/governor.js';
import type { EngineDeps } from '../../src/site/engine-deps.js';
import type { SiteEngine, SiteEngineOptions } from '../../src/site/engine.js';
import { installBrowserGlobals } from '../helpers/node-peer.js';
import { harness, putBlobs, putManifest, siteHost, type Harness } from '../signaling/helpers.js';

// Two site engines in one Node process, each with stores of its own, against the real
// server and its tracker on port 0: the first gets the site from the origin seed and
// seeds it; the second, with the origin seed off, gets every byte from the first over
// WebRTC. See test/helpers/node-peer.ts for what stands in for the browser.

installBrowserGlobals();
let Engine: typeof SiteEngine;
beforeAll(async () => {
  ({ SiteEngine: Engine } = await import('../../src/site/engine.js'));
});

interface Peer {
  engine: SiteEngine;
  deps: EngineDeps;
  /** What the engine told the service worker. */
  told: unknown[];
}

let peerCount = 0;

function peer(name: string, options: SiteEngineOptions, sharing: 'share' | 'origin-only' = 'share'): Peer {
  const told: unknown[] = [];
  // Databases of its own in every test: the sites' files hash alike across tests.
  name = `${name}-${++peerCount}`;
  const deps: EngineDeps = {
    stores: { sites: createStore(`${name}-sites`, 'sites'), blobs: createStore(`${name}-blobs`, 'blobs') },
    pieces: createStore(`${name}-pieces`, 'pieces'),
    fetch: (...args) => fetch(...args),
    now: () => Date.now(),
    filesChannel: { postMessage: (m: unknown) => void told.push(m), close: () => {} },
  };
  const settings = normaliseSettings({ sharing });
  const engine = new Engine({ verifyHere: true, resources: async () => ({ settings, activeEngines: 1 }), ...options, deps });
  return { engine, deps, told };
}

/** Resolves once `holds` is true of the engine's state, or fails with what the state was. */
function until(engine: SiteEngine, holds: () => boolean, what: string, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!holds()) return;
      clearTimeout(timer);
      engine.removeEventListener('state', check);
      resolve();
    };
    const timer = setTimeout(() => {
      engine.removeEventListener('state', check);
      reject(new Error(`${what}: not within ${ms} ms; state ${JSON.stringify({ ...engine.state, manifest: undefined })}`));
    }, ms);
    engine.addEventListener('state', check);
    check();
  });
}

async function publish(h: Harness): Promise<Bundle> {
  const key = await generateKeyPair();
  const big = new Uint8Array(300_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 8)) & 255;
  const files = [
    { path: 'index.html', bytes: utf8('<!doctype html><title>two engines</title><link rel=stylesheet href=style.css><img src=photo.bin>') },
    { path: 'style.css', bytes: utf8('body{font:16px sans-serif}') },
    { path: 'photo.bin', bytes: big },
  ];
  const b = await buildBundle({ files, secretKey: key.secretKey, seq: 1 });
  await putBlobs(h.server.url, b);
  expect((await putManifest(h.server.url, b.manifest)).status).toBe(201);
  return b;
}

/** How many seeders the server's tracker counts for the version, from its manifest answer. */
async function seeders(h: Harness, address: string): Promise<number> {
  const res = await fetch(`${h.server.url}/api/sites/${address}`);
  return Number(/seeders=(\d+)/.exec(res.headers.get('p2p-swarm') ?? '')?.[1] ?? 0);
}

describe('two SiteEngines against a real tracker and server', () => {
  let h: Harness | undefined;
  const peers: Peer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) await p.engine.destroy();
    await h?.close();
    h = undefined;
  });

  /**
   * A published site and its first visitor: nobody holds the version, so the origin seed
   * sends it; then that engine seeds, and the tracker counts it.
   */
  async function seededSite() {
    h = await harness();
    const b = await publish(h);
    const address = b.manifest.address;
    const server = `http://${siteHost(address, h.server.port)}`;
    const total = b.manifest.files.reduce((n, f) => n + f.size, 0);
    const first = peer('first', { address, server });
    peers.push(first);
    await first.engine.start();
    await until(first.engine, () => first.engine.state.phase === 'ready', 'the first engine has the site');
    expect(first.engine.liveStats?.fromOrigin).toBe(total);
    const deadline = Date.now() + 20_000;
    while ((await seeders(h, address)) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await seeders(h, address)).toBe(1);
    return { b, address, server, total, first };
  }

  it('passes a site from one engine to the other over WebRTC, every file checked and stored', async () => {
    const { b, address, server, total, first } = await seededSite();

    // The second visitor may not use the origin seed: every byte must come from the first.
    const second = peer('second', { address, server, swarm: { useOrigin: false } });
    peers.push(second);
    await second.engine.start();
    await until(second.engine, () => second.engine.state.phase === 'ready', 'the second engine has the site from the first');
    expect(second.engine.liveStats).toMatchObject({ fromPeers: total, fromOrigin: 0, filesDone: 3 });
    await until(first.engine, () => (first.engine.liveStats?.uploaded ?? 0) >= total, 'the first engine counts what it sent');

    // What the second engine stored is the signed content, in its own stores only.
    for (const file of b.manifest.files) {
      const blob = await getBlob(file.sha256, second.deps.stores);
      expect(blob, file.path).toBeDefined();
      expect(toHex(await sha256(new Uint8Array(await blob!.arrayBuffer())))).toBe(file.sha256);
    }
    expect((await getSite(address, second.deps.stores))?.current?.seq).toBe(1);
    expect(await getSite(address, { sites: createStore('nobody-sites', 'sites'), blobs: createStore('nobody-blobs', 'blobs') })).toBeUndefined();
    // The service worker was told of every stored file.
    const stored = second.told.flatMap((m) => ((m as { type: string }).type === 'files-stored' ? (m as { sha256s: string[] }).sha256s : []));
    expect(new Set(stored)).toEqual(new Set(b.manifest.files.map((f) => f.sha256)));
  }, 60_000);

  it('keeps "origin only" from the first packet: with a seeder online, the site comes from the origin seed and nothing from it', async () => {
    const { address, server, total, first } = await seededSite();

    const careful = peer('careful', { address, server }, 'origin-only');
    peers.push(careful);
    await careful.engine.start();
    await until(careful.engine, () => careful.engine.state.phase === 'ready', 'the origin-only engine has the site');
    expect(careful.engine.liveStats).toMatchObject({ fromPeers: 0, fromOrigin: total });
    expect(careful.engine.state.sharing?.usePeers).toBe(false);
    expect(first.engine.liveStats?.uploaded).toBe(0);
    // It never announced: the tracker still counts the one seeder and no one else.
    const res = await fetch(`${h!.server.url}/api/sites/${address}`);
    expect(res.headers.get('p2p-swarm')).toBe('seeders=1, leechers=0');
  }, 60_000);
});
