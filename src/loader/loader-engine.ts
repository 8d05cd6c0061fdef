import { createStore } from 'idb-keyval';
import { assertFileBytes, verifyManifest, type Manifest, type ManifestFile } from '../core/index.js';
import { getBlob, putVerifiedBlob, storedBlobs, type CacheStores } from '../store/site-cache.js';
import { sharingPlan } from '../swarm/governor.js';
import { SiteSwarm, type TransferStats, type VersionTransfer } from '../swarm/site-swarm.js';
import { swarmEndpoints } from '../swarm/endpoints.js';
import { LoaderSettingsClient, type LoaderSettingsSnapshot } from './loader-settings.js';
import { MAX_STREAMED_BYTES, MediaFeed, mediaSourceType } from './media-feed.js';

/**
 * The loader's peer engine, loaded only when a host page has assets the manifest holds.
 * Files come from peers when any has them; otherwise from the host's own URLs, checked
 * against the signed manifest, then kept (in IndexedDB stores of our own on the host's
 * origin) and seeded to the next visitor. Nothing unverified is ever handed to the page,
 * and the visitor's settings (asked of the app first) decide whether peers are used.
 */
/** Peers get this head start before the host is asked for what they have not sent. */
const PEER_WAIT_MS = 2500;
/** After the head start, peers that send no verified piece for this long are given up on. */
const PEER_STALL_MS = 1500;
/**
 * How long the transfer waits for the visitor's choice before it starts without peers
 * (the host sends the files; peers join when the choice allows them). Never a reason to
 * use peers: that waits for the choice, however late.
 */
const SETTINGS_WAIT_MS = 500;

let stores: CacheStores | undefined;
function loaderStores(): CacheStores {
  // Our own database names, so the host page's storage is never touched.
  stores ??= { sites: createStore('p2p-loader-sites', 'sites'), blobs: createStore('p2p-loader-blobs', 'blobs') };
  return stores;
}

export interface LoadAssetsOptions {
  address: string;
  server: string;
  manifest: unknown;
  wanted: string[];
  /** Wanted paths shown in `<video>`/`<audio>`: played while they arrive where MediaSource can. */
  media?: string[];
  hostUrl: (path: string) => string;
  onFile: (path: string, blob: Blob, type: string) => void;
  /** Shows a URL at once for a file still arriving (a MediaSource); `onFile` or `onFallback` may replace it. */
  onStream?: (path: string, url: string) => void;
  onFallback: (path: string) => void;
}

/** Where each delivered file came from, and the transfer's counters. */
export interface LoaderStats extends Partial<TransferStats> {
  usePeers: boolean;
  upload: boolean;
  fromHost: number;
  files: Record<string, 'cache' | 'peers' | 'host' | 'fallback'>;
}

export interface LoaderApi {
  fetch(path: string): Promise<Response>;
  stats(): LoaderStats;
}

export async function loadAssets(options: LoadAssetsOptions): Promise<LoaderApi> {
  // Asked first, so the frame loads while the manifest is checked; peers wait for it.
  let applySettings = (_s: LoaderSettingsSnapshot) => {}; // Set once the swarm runs; the first decision reads the snapshot itself.
  const settings = new LoaderSettingsClient(options.server, options.address, (s) => applySettings(s));
  let manifest: Manifest;
  try {
    manifest = await verifyManifest(options.manifest, { address: options.address });
  } catch (err) {
    settings.destroy();
    for (const p of options.wanted) options.onFallback(p);
    throw err;
  }
  const byPath = new Map(manifest.files.map((f) => [f.path, f]));
  const waiting = new Map<string, ((blob: Blob | undefined) => void)[]>();
  const done = new Map<string, Blob>();
  const files: LoaderStats['files'] = {};
  const feeds = new Map<string, MediaFeed>();
  let fromHost = 0;

  const settle = (path: string, blob: Blob | undefined) => {
    for (const resolve of waiting.get(path) ?? []) resolve(blob);
    waiting.delete(path);
  };
  const deliver = (file: ManifestFile, blob: Blob, from: 'cache' | 'peers' | 'host') => {
    for (const [path, f] of byPath) {
      if (f.sha256 !== file.sha256 || done.has(path)) continue;
      done.set(path, blob);
      files[path] = from;
      const feed = feeds.get(path);
      if (feed) feed.complete();
      else if (options.wanted.includes(path)) options.onFile(path, blob, f.type);
      settle(path, blob);
      window.dispatchEvent(new CustomEvent('p2p:file', { detail: { path, from } }));
    }
  };
  const fallback = (path: string, why: string) => {
    if (done.has(path) || files[path] === 'fallback') return;
    console.warn(`[p2p] ${path}: using the normal URL (${why})`);
    files[path] = 'fallback';
    options.onFallback(path);
    settle(path, undefined);
  };

  const stored = await storedBlobs(manifest, loaderStores());
  for (const file of manifest.files) {
    const blob = stored.get(file.sha256);
    if (blob) deliver(file, blob, 'cache');
  }

  // No tracker socket or RTCPeerConnection before the visitor's choice is known
  // (loader-settings.ts). It usually is within a moment; if not, the transfer starts
  // without peers and they join when the choice allows them.
  const early = await Promise.race([settings.known, new Promise<undefined>((resolve) => setTimeout(resolve, SETTINGS_WAIT_MS))]);
  // Relay-only needs the visitor's TURN servers, which the loader is never given: no peers then.
  const decide = (s: LoaderSettingsSnapshot) => sharingPlan(s.settings, { hiddenForMs: 0, seedRank: s.seedRank }, s.activeEngines, !s.settings.relayOnly && typeof RTCPeerConnection !== 'undefined');
  let decision = early ? decide(early) : { ...decide(settings.snapshot), usePeers: false, upload: false };
  const swarm = new SiteSwarm({
    endpoints: swarmEndpoints(options.server, manifest.address),
    // The host's own server is the fallback, not the origin seed.
    useOrigin: false,
    usePeers: decision.usePeers,
    upload: decision.upload,
    maxConns: decision.maxConns,
    uploadLimit: decision.uploadLimit,
    downloadLimit: decision.downloadLimit,
    warn: (m) => console.warn(`[p2p] ${m}`),
  });
  settings.setSeeding(decision.upload);

  // Verified bytes become one Blob, stored and delivered as is (no second copy).
  const storeFile = async (file: ManifestFile, data: Uint8Array | Blob, from: 'peers' | 'host' = 'peers') => {
    const blob = data instanceof Blob ? data : new Blob([data as BlobPart]);
    await putVerifiedBlob(file.sha256, blob, loaderStores());
    deliver(file, blob, from);
    return blob;
  };

  // Media the page shows in <video>/<audio> plays while its pieces arrive.
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const f of manifest.files) {
    offsets.set(f.path, offset);
    offset += f.size;
  }
  const streamable = (options.media ?? []).filter((p) => {
    const f = byPath.get(p);
    return f && !done.has(p) && f.size > 0 && f.size <= MAX_STREAMED_BYTES && decision.usePeers && options.onStream && typeof MediaSource !== 'undefined';
  });
  for (const path of streamable) {
    const file = byPath.get(path)!;
    const feed = new MediaFeed(
      file.size,
      (head) => mediaSourceType(file.type, head),
      (reason) => {
        feeds.delete(path);
        console.warn(`[p2p] ${path}: not played while it arrives (${reason})`);
        // Bytes already stored are verified: show them; otherwise the normal URL.
        if (done.has(path)) options.onFile(path, done.get(path)!, file.type);
        else fallback(path, reason);
      },
    );
    feeds.set(path, feed);
    options.onStream!(path, feed.url);
  }
  const feedPiece = (index: number, bytes: Uint8Array) => {
    const start = index * manifest.torrent.pieceLength;
    for (const [path, feed] of feeds) {
      const fileStart = offsets.get(path)!;
      const fileEnd = fileStart + byPath.get(path)!.size;
      const from = Math.max(start, fileStart);
      const to = Math.min(start + bytes.length, fileEnd);
      if (from < to) feed.push(from - fileStart, bytes.subarray(from - start, to - start));
    }
  };

  let lastProgress = Date.now();
  let transfer: VersionTransfer = swarm.transfer(manifest, stored, {
    fileVerified: (file, blob) => storeFile(file, blob),
    // WebTorrent hands the store only pieces that matched their hash in the signed manifest.
    savePiece: (index, bytes) => {
      lastProgress = Date.now();
      if (feeds.size) feedPiece(index, bytes);
    },
    fileRejected: (file) => {
      for (const [path, f] of byPath) if (f.sha256 === file.sha256) feeds.get(path)?.fail('the file did not match its signed hash');
    },
  });
  // Counters of transfers already replaced, so the stats cover the whole visit.
  const earlier = { badPieces: 0, bannedPeers: 0, fromPeers: 0, uploaded: 0 };
  const retire = (t: VersionTransfer) => {
    for (const key of Object.keys(earlier) as (keyof typeof earlier)[]) earlier[key] += t.stats[key];
    t.destroy();
  };
  const startedAt = Date.now();

  const requested = new Set<string>();
  let reseeded = false;
  const fromHostUrls = async (missing: ManifestFile[]) => {
    await Promise.all(
      missing.map(async (file) => {
        if (requested.has(file.path)) return;
        requested.add(file.path);
        // A stream that the host now completes would restart anyway: show the host's verified copy instead.
        feeds.get(file.path)?.fail('peers are too slow');
        try {
          const response = await fetch(options.hostUrl(file.path));
          if (!response.ok) throw new Error(`host answered ${response.status}`);
          const bytes = new Uint8Array(await response.arrayBuffer());
          fromHost += bytes.length;
          await assertFileBytes(file, bytes);
          if (!done.has(file.path)) await storeFile(file, bytes, 'host');
        } catch (err) {
          fallback(file.path, String(err));
        }
      }),
    );
    // Everything is here now: seed it from the stored copies (at once, or when peers join).
    if (!reseeded && manifest.files.every((f) => done.has(f.path)) && transfer.stats.filesDone < transfer.stats.filesTotal) {
      reseeded = true;
      const blobs = await storedBlobs(manifest, loaderStores());
      retire(transfer);
      transfer = swarm.transfer(manifest, blobs, { fileVerified: (file, blob) => storeFile(file, blob) });
    }
  };

  // Peers get a head start; what they do not deliver (none connected, or none sending a
  // piece that verifies, e.g. a peer with a damaged copy, which is banned) comes from the host.
  const watchdog = setInterval(() => {
    const missing = manifest.files.filter((f) => !done.has(f.path) && !requested.has(f.path) && files[f.path] !== 'fallback');
    if (missing.length === 0) return clearInterval(watchdog);
    const now = Date.now();
    const peersDelivering = transfer.stats.peers > 0 && now - lastProgress < PEER_STALL_MS;
    if (!swarm.usesPeers || (now - startedAt >= PEER_WAIT_MS && !peersDelivering)) void fromHostUrls(missing);
  }, 250);

  applySettings = (s) => {
    decision = decide(s);
    // Peers join or leave the running transfer, which keeps its pieces; with no peers
    // ("origin only") every peer connection closes and the host sends the rest.
    swarm.setPeers(decision.usePeers);
    swarm.applyLimits(decision);
    settings.setSeeding(decision.upload);
  };
  // A choice that came after the transfer started: the settings as they are by then.
  if (!early) void settings.known.then(() => applySettings({ ...settings.snapshot }));

  return {
    async fetch(path: string): Promise<Response> {
      const file = byPath.get(path);
      if (!file) return fetch(options.hostUrl(path));
      const blob = done.get(path) ?? (await getBlob(file.sha256, loaderStores())) ?? (files[path] === 'fallback' ? undefined : await new Promise<Blob | undefined>((resolve) => waiting.set(path, [...(waiting.get(path) ?? []), resolve])));
      if (!blob) return fetch(options.hostUrl(path));
      return new Response(blob, { headers: { 'Content-Type': file.type, 'Content-Length': String(blob.size) } });
    },
    stats: () => ({
      ...transfer.stats,
      badPieces: transfer.stats.badPieces + earlier.badPieces,
      bannedPeers: transfer.stats.bannedPeers + earlier.bannedPeers,
      fromPeers: transfer.stats.fromPeers + earlier.fromPeers,
      uploaded: transfer.stats.uploaded + earlier.uploaded,
      usePeers: decision.usePeers, upload: decision.upload, fromHost, files: { ...files } }),
  };
}
