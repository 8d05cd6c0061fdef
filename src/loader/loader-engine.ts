import { createStore } from 'idb-keyval';
import { assertFileBytes, verifyManifest, type Manifest, type ManifestFile } from '../core/index.js';
import { getBlob, putVerifiedBlob, storedBlobs, type CacheStores } from '../store/site-cache.js';
import { SiteSwarm, type VersionTransfer } from '../swarm/site-swarm.js';

/**
 * The loader's peer engine, loaded only when a host page has assets the manifest holds.
 * Files come from peers when any has them; otherwise from the host's own URLs, checked
 * against the signed manifest, then kept (in IndexedDB stores of our own on the host's
 * origin) and seeded to the next visitor. Nothing unverified is ever handed to the page.
 */
const PEER_WAIT_MS = 2500;

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
  hostUrl: (path: string) => string;
  onFile: (path: string, blob: Blob, type: string) => void;
  onFallback: (path: string) => void;
}

export async function loadAssets(options: LoadAssetsOptions): Promise<{ fetch(path: string): Promise<Response> }> {
  let manifest: Manifest;
  try {
    manifest = await verifyManifest(options.manifest, { address: options.address });
  } catch (err) {
    for (const p of options.wanted) options.onFallback(p);
    throw err;
  }
  const byPath = new Map(manifest.files.map((f) => [f.path, f]));
  const waiting = new Map<string, ((blob: Blob | undefined) => void)[]>();
  const done = new Map<string, Blob>();
  const deliver = (file: ManifestFile, blob: Blob) => {
    for (const [path, f] of byPath) {
      if (f.sha256 !== file.sha256 || done.has(path)) continue;
      done.set(path, blob);
      if (options.wanted.includes(path)) options.onFile(path, blob, f.type);
      for (const resolve of waiting.get(path) ?? []) resolve(blob);
      waiting.delete(path);
    }
  };

  const stored = await storedBlobs(manifest, loaderStores());
  for (const file of manifest.files) {
    const blob = stored.get(file.sha256);
    if (blob) deliver(file, blob);
  }

  const url = new URL(options.server);
  const swarm = new SiteSwarm({
    endpoints: { announce: [`${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}/announce`], seedBase: `${url.origin}/seed/` },
    // The host's own server is the fallback, not the origin seed.
    useOrigin: false,
    usePeers: typeof RTCPeerConnection !== 'undefined',
    warn: (m) => console.warn(`[p2p] ${m}`),
  });
  const storeFile = async (file: ManifestFile, bytes: Uint8Array) => {
    await putVerifiedBlob(file.sha256, bytes, loaderStores());
    const blob = new Blob([bytes as BlobPart]);
    deliver(file, blob);
    return blob;
  };
  let transfer: VersionTransfer = swarm.transfer(manifest, stored, { fileComplete: storeFile });

  // Peers get a head start; whatever they have not delivered by then comes from the host.
  void new Promise((r) => setTimeout(r, swarm.usesPeers ? PEER_WAIT_MS : 0)).then(async () => {
    const missing = manifest.files.filter((f) => !done.has(f.path));
    if (missing.length === 0) return;
    if (transfer.stats.peers > 0 && transfer.stats.fromPeers > 0) return; // peers are delivering
    await Promise.all(
      missing.map(async (file) => {
        try {
          const response = await fetch(options.hostUrl(file.path));
          if (!response.ok) throw new Error(`host answered ${response.status}`);
          const bytes = new Uint8Array(await response.arrayBuffer());
          await assertFileBytes(file, bytes);
          if (!done.has(file.path)) await storeFile(file, bytes);
        } catch (err) {
          console.warn(`[p2p] ${file.path}: using the normal URL (${String(err)})`);
          options.onFallback(file.path);
          for (const resolve of waiting.get(file.path) ?? []) resolve(undefined);
          waiting.delete(file.path);
        }
      }),
    );
    // Everything is here now: seed it from the stored copies.
    if (manifest.files.every((f) => done.has(f.path))) {
      transfer.destroy();
      transfer = swarm.transfer(manifest, await storedBlobs(manifest, loaderStores()), { fileComplete: storeFile });
    }
  });

  return {
    async fetch(path: string): Promise<Response> {
      const file = byPath.get(path);
      if (!file) return fetch(options.hostUrl(path));
      const blob = done.get(path) ?? (await getBlob(file.sha256, loaderStores())) ?? (await new Promise<Blob | undefined>((resolve) => waiting.set(path, [...(waiting.get(path) ?? []), resolve])));
      if (!blob) return fetch(options.hostUrl(path));
      return new Response(blob, { headers: { 'Content-Type': file.type, 'Content-Length': String(blob.size) } });
    },
  };
}
