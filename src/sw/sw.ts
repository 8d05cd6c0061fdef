/// <reference lib="webworker" />
import { classifyRequestPath, type Manifest, type ManifestFile } from '../core/index.js';
import { deleteBlob, getBlob, getSite } from '../store/site-cache.js';
import { addressOfHost } from '../core/origins.js';
import { announcesStored, FILE_WAIT_MS, FILES_CHANNEL, isSiteDenied } from './messages.js';
import { serveFromSite, textPage } from './respond.js';
import { blobMatches, needsServeCheck } from './serve-check.js';

/**
 * The service worker of one site's origin. It answers the site's requests from the
 * IndexedDB cache (files there were verified before they were stored) and never from
 * the network; paths of the server and of this app pass through.
 */
declare const self: ServiceWorkerGlobalScope;

const address = addressOfHost(self.location.hostname);
/** The version each open page was loaded with, so one page load never mixes versions. */
const versionOfClient = new Map<string, Manifest>();

self.addEventListener('install', () => {
  void self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !address) return;
  if (event.request.method !== 'GET' && event.request.method !== 'HEAD') return;
  // The same reading of the path as the server's (src/core/reserved-paths.ts): the
  // server's own paths pass through, `/announcements.html` is the site's.
  const where = classifyRequestPath(url.pathname);
  if (where.kind === 'reserved' && where.segment === '__p2p' && event.request.method === 'GET') {
    event.respondWith(ownFile(event.request, url));
    return;
  }
  if (where.kind !== 'site') return;
  event.respondWith(answer(event, url));
});

const OWN_PREFIX = '/__p2p/';
const OWN_CACHE = 'p2p-app-files';

/**
 * Our own files (the runtime and its chunks) must load offline too, or a cached site
 * would open without its engine. Hashed assets never change: cache first. Fixed names
 * (runtime.js): network first, the cached copy when offline.
 */
async function ownFile(request: Request, url: URL): Promise<Response> {
  // The cache is a help, never a reason to fail: a browser that refuses it (storage
  // pressure, a private window, Firefox's Cache API in some states) still gets the file.
  const cache = await caches.open(OWN_CACHE).catch(() => undefined);
  if (cache && url.pathname.startsWith(`${OWN_PREFIX}assets/`)) {
    const hit = await cache.match(request).catch(() => undefined);
    if (hit) return hit;
  }
  try {
    const response = await fetch(request);
    if (response.ok && cache) void cache.put(request, response.clone()).catch((err: unknown) => console.warn('[p2p] could not keep our own file for offline use', url.pathname, err));
    return response;
  } catch (err) {
    const hit = await cache?.match(request).catch(() => undefined);
    if (hit) return hit;
    throw err;
  }
}

/**
 * Whether the operator refuses the site, as of the last read of its record. A page's own
 * requests are answered from the version it was loaded with, without reading the whole
 * record again (a 10,000-file manifest is a large structured clone); the engine says at
 * once when the server refuses the site (`site-denied` on FILES_CHANNEL).
 */
let deniedAsOfLastRead = false;
const siteNews = new BroadcastChannel(FILES_CHANNEL);
siteNews.onmessage = (event: MessageEvent) => {
  if (isSiteDenied(event.data)) deniedAsOfLastRead = true;
};

async function answer(event: FetchEvent, url: URL): Promise<Response> {
  const isNavigation = event.request.mode === 'navigate';
  let manifest = isNavigation ? undefined : versionOfClient.get(event.clientId);
  if (!manifest) {
    const record = await getSite(address!);
    deniedAsOfLastRead = Boolean(record?.denied);
    manifest = record?.current;
  }
  if (deniedAsOfLastRead) {
    return textPage(451, 'This site is not available here', 'The operator of this server has blocked this site.');
  }
  // Nothing cached yet: the network answers with the boot page, which loads the site.
  if (!manifest) return fetch(event.request);
  if (isNavigation && event.resultingClientId) {
    versionOfClient.set(event.resultingClientId, manifest);
    void forgetClosedClients();
  }

  let damaged = false;
  const checkedBlob = async (file: ManifestFile, blob: Blob | undefined): Promise<Blob | undefined> => {
    if (!blob || !needsServeCheck(file) || (await blobMatches(file, blob))) return blob;
    // Changed since it was verified: never served. Every other checked file is looked at
    // now too and the changed ones dropped, so whichever engine runs next fetches them all.
    damaged = true;
    console.warn(`[p2p] "${file.path}" no longer matches its signed hash; fetching it again`);
    await dropDamagedFiles(manifest!);
    return undefined;
  };
  const result = await serveFromSite({
    manifest,
    url,
    method: event.request.method,
    rangeHeader: event.request.headers.get('Range'),
    getFile: async (file) => checkedBlob(file, await getBlob(file.sha256)),
  });
  if (result.kind === 'response') return result.response;
  // A damaged page: the boot page fetches and verifies it again at once.
  if (damaged && isNavigation) return fetch(event.request);

  // The file is still being fetched by the site's engine: wait for it to be stored.
  const blob = await checkedBlob(result.file, await waitForFile(result.file, FILE_WAIT_MS));
  if (blob) {
    const retry = await serveFromSite({ manifest, url, method: event.request.method, rangeHeader: event.request.headers.get('Range'), getFile: async () => blob });
    if (retry.kind === 'response') return retry.response;
  }
  if (isNavigation) return fetch(event.request);
  return textPage(504, 'Still loading', `"${result.file.path}" has not arrived from peers or the origin yet. Reload in a moment.`);
}

/** Hashes every checked file of a version and deletes those whose bytes changed. */
async function dropDamagedFiles(manifest: Manifest): Promise<void> {
  for (const file of manifest.files) {
    if (!needsServeCheck(file)) continue;
    const blob = await getBlob(file.sha256).catch(() => undefined);
    if (blob && !(await blobMatches(file, blob))) await deleteBlob(file.sha256).catch(() => undefined);
  }
}

function waitForFile(file: ManifestFile, timeoutMs: number): Promise<Blob | undefined> {
  return new Promise((resolve) => {
    const channel = new BroadcastChannel(FILES_CHANNEL);
    let settled = false;
    const finish = (blob: Blob | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      channel.close();
      resolve(blob);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    channel.onmessage = (event: MessageEvent) => {
      if (announcesStored(event.data, file.sha256)) void getBlob(file.sha256).then(finish);
    };
    // It may have been stored between the first look and subscribing.
    void getBlob(file.sha256).then((blob) => blob && finish(blob));
  });
}

async function forgetClosedClients(): Promise<void> {
  const open = new Set((await self.clients.matchAll({ type: 'window' })).map((c) => c.id));
  for (const id of versionOfClient.keys()) if (!open.has(id)) versionOfClient.delete(id);
}
