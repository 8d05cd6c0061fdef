import { expect, test, type Page } from '@playwright/test';
import { generateKeyPair, utf8, type BundleInputFile, type KeyPair } from '../src/core/index.js';
import { newVisitor, openSite, publish, publishFixture, startTestServer, type TestServer } from './helpers/harness.js';

// Two attacks a visited site could make through the origin seed (the server once served
// a site's raw bytes, with the type its publisher declared, on every host), each tried
// the way a hostile publisher would, in real browser contexts.
test.describe.configure({ mode: 'serial' });

let ts: TestServer;
test.beforeAll(async () => {
  ts = await startTestServer();
});
test.afterAll(async () => {
  await ts?.stop();
});

/**
 * A hostile site: its page frames `frameUrl(infoHash, address)` (built in the browser
 * from its own manifest) and records every message the frame posts; `payload` is a file
 * declared `text/html` whose script does the harm wherever it runs.
 */
async function publishAttacker(payloadPath: string, payload: string, frameUrl: string, key: KeyPair): Promise<string> {
  const page = `<!doctype html><meta charset="utf-8"><title>Cute cats</title><h1 id="title">Cats</h1>
<script>
  window.__got = [];
  addEventListener('message', (e) => window.__got.push({ origin: e.origin, data: e.data }));
  (async () => {
    const address = location.hostname.split('.')[0];
    const manifest = await (await fetch('/api/sites/' + address)).json();
    const frame = document.createElement('iframe');
    frame.src = ${JSON.stringify(frameUrl)}.replace('{ih}', manifest.torrent.infoHash).replace('{addr}', address).replace('{port}', location.port);
    frame.onload = () => (window.__frameLoaded = frame.src);
    document.body.append(frame);
  })();
</script>`;
  const files: BundleInputFile[] = [
    { path: 'index.html', bytes: utf8(page) },
    { path: payloadPath, bytes: utf8(payload), type: 'text/html' },
  ];
  const bundle = await publish(ts.url, files, key, 1);
  return bundle.manifest.address;
}

async function framedAndAnswered(page: Page): Promise<{ status: number; type: string }> {
  const response = await page.waitForResponse((r) => r.url().includes('/seed/') && r.request().resourceType() === 'document', { timeout: 60_000 });
  await page.waitForFunction(() => Boolean((window as unknown as { __frameLoaded?: string }).__frameLoaded));
  return { status: response.status(), type: response.headers()['content-type'] ?? '' };
}

test("a visited site cannot read the app's keys through a framed or visited seed URL", async ({ browser }) => {
  const visitor = await newVisitor(browser, [/Failed to load resource.*404/]);
  // The visitor keeps a publisher key in the app.
  await visitor.page.goto(ts.appUrl);
  await visitor.page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('p2p-keys');
        open.onupgradeneeded = () => open.result.createObjectStore('keys');
        open.onsuccess = () => {
          const tx = open.result.transaction('keys', 'readwrite');
          tx.objectStore('keys').put({ address: 'victim', secretKey: 'SECRET-MARKER' }, 'victim');
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
  );

  const thief = `<script>
    parent.postMessage({ ran: location.origin }, '*');
    const open = indexedDB.open('p2p-keys');
    open.onsuccess = () => {
      const db = open.result;
      const name = db.objectStoreNames[0];
      if (!name) return parent.postMessage({ stolen: 'none' }, '*');
      const all = db.transaction(name).objectStore(name).getAll();
      all.onsuccess = () => parent.postMessage({ stolen: JSON.stringify(all.result) }, '*');
    };
  </script>`;
  const address = await publishAttacker('img/cat.png', thief, 'http://p2p.localhost:{port}/seed/{ih}/{addr}/img/cat.png', await generateKeyPair());

  const answered = framedAndAnswered(visitor.page);
  await openSite(visitor.page, ts.siteUrl(address));
  const framed = await answered;
  expect(framed.status).toBe(404);
  expect(framed.type).toMatch(/^application\/json/);
  const got = await attackerMessages(visitor.page);
  expect(got).toEqual([]);

  // Visited directly: not a document that runs anything on the app's origin.
  const direct = await visitor.page.goto(`http://p2p.localhost:${ts.port}/seed/${'0'.repeat(40)}/${address}/img/cat.png`.replace('0'.repeat(40), await infoHashOf(address)));
  expect(direct?.status()).toBe(404);
  expect(await visitor.page.evaluate(() => document.contentType)).not.toBe('text/html');
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
});

test("a visited site cannot deface another site's cached copy, and a changed cached byte is never shown", async ({ browser }) => {
  const visitor = await newVisitor(browser, [/Failed to load resource.*404/, /no longer matches its signed hash/]);
  const victim = (await publishFixture(ts.url, 1)).bundle.manifest;
  await openSite(visitor.page, ts.siteUrl(victim.address));
  await expect(visitor.page.locator('#title')).toHaveText('Hello from the swarm');

  // The attacker's script, were it ever run on the victim's origin, overwrites its cache.
  const defacer = `<script>
    parent.postMessage({ ran: location.origin }, '*');
    const open = indexedDB.open('p2p-blobs');
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('blobs')) return;
      const store = db.transaction('blobs', 'readwrite').objectStore('blobs');
      const keys = store.getAllKeys();
      keys.onsuccess = () => {
        for (const k of keys.result) store.put(new Blob(['<h1 id="title">DEFACED</h1>'], { type: 'text/html' }), k);
        parent.postMessage({ defaced: keys.result.length }, '*');
      };
    };
  </script>`;
  const attacker = await publishAttacker('evil.html', defacer, `http://${victim.address}.p2p.localhost:{port}/seed/{ih}/{addr}/evil.html`, await generateKeyPair());
  const answered = framedAndAnswered(visitor.page);
  await openSite(visitor.page, ts.siteUrl(attacker));
  const framed = await answered;
  expect(framed.status).toBe(404);
  expect(await attackerMessages(visitor.page)).toEqual([]);

  await visitor.page.goto(ts.siteUrl(victim.address));
  await expect(visitor.page.locator('#title')).toHaveText('Hello from the swarm');

  // Defence in depth: bytes changed in the victim's own storage (as only its own origin's
  // script could) are not served; the page is fetched and verified again.
  const changed = await visitor.page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('p2p-blobs');
        open.onsuccess = () => {
          const store = open.result.transaction('blobs', 'readwrite').objectStore('blobs');
          const keys = store.getAllKeys();
          keys.onsuccess = () => {
            for (const k of keys.result) store.put(new Blob(['<h1 id="title">DEFACED</h1>'], { type: 'text/html' }), k);
            store.transaction.oncomplete = () => resolve(keys.result.length);
          };
        };
      }),
  );
  expect(changed).toBeGreaterThan(0);
  await visitor.page.reload();
  await expect(visitor.page.locator('#title')).toHaveText('Hello from the swarm', { timeout: 60_000 });
  await visitor.page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
  await visitor.page.reload();
  await expect(visitor.page.locator('#title')).toHaveText('Hello from the swarm');
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
});

/** What the payload posted to the attacker's page (the app's own frames post there too). */
async function attackerMessages(page: Page): Promise<unknown[]> {
  const got = await page.evaluate(() => (window as unknown as { __got: { data: Record<string, unknown> }[] }).__got);
  return got.filter((m) => m.data && typeof m.data === 'object' && ('ran' in m.data || 'stolen' in m.data || 'defaced' in m.data));
}

async function infoHashOf(address: string): Promise<string> {
  const manifest = (await (await fetch(`${ts.url}/api/sites/${address}`)).json()) as { torrent: { infoHash: string } };
  return manifest.torrent.infoHash;
}
