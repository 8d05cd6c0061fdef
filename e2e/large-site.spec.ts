import { expect, test } from '@playwright/test';
import { generateKeyPair, utf8, type BundleInputFile } from '../src/core/index.js';
import { engineState, newVisitor, publish, startTestServer, type TestServer } from './helpers/harness.js';

// A site over the 8 MB at which a first visit opens before every file is in, opened by a
// deep link whose page blocks on its scripts and starts a module worker (as PDF.js's
// viewer does): it renders with no 504 and no reload loop, and the rest arrives.
let ts: TestServer;
test.beforeAll(async () => {
  ts = await startTestServer();
});
test.afterAll(async () => {
  await ts?.stop();
});

function largeSite(): BundleInputFile[] {
  const files: BundleInputFile[] = [
    { path: 'index.html', bytes: utf8('<!doctype html><title>home</title><link rel="icon" href="data:,"><a href="docs/viewer.html?x=1">viewer</a>') },
    {
      path: 'docs/viewer.html',
      bytes: utf8(`<!doctype html><html><head><meta charset="utf-8"><title>Viewer</title><link rel="icon" href="data:,">
<script src="lib/a.js"></script><script src="lib/b.js"></script><link rel="stylesheet" href="viewer.css"></head>
<body><h1 id="title">Viewer</h1><p id="ready"></p><script type="module" src="viewer.js"></script></body></html>`),
    },
    { path: 'docs/lib/a.js', bytes: utf8('window.libA = 1;') },
    { path: 'docs/lib/b.js', bytes: utf8('window.libB = window.libA + 1;') },
    { path: 'docs/viewer.css', bytes: utf8('h1 { color: rgb(0, 100, 0); }') },
    { path: 'docs/viewer.js', bytes: utf8(`const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
w.onmessage = (e) => { document.getElementById('ready').textContent = 'ready ' + window.libB + ' ' + e.data + ' ' + location.search; };
w.postMessage('ping');`) },
    { path: 'docs/worker.js', bytes: utf8(`import { answer } from './worker-lib.js'; onmessage = () => postMessage(answer);`) },
    { path: 'docs/worker-lib.js', bytes: utf8('export const answer = "pong";') },
  ];
  // 9.6 MB of data files the page does not need to render.
  for (let i = 0; i < 12; i++) {
    const bytes = new Uint8Array(800_000);
    for (let j = 0; j < bytes.length; j++) bytes[j] = (j * 2654435761 + i * 97) >>> 24;
    files.push({ path: `docs/data/part-${i}.bin`, bytes });
  }
  return files;
}

test('a 9.6 MB site opened by a deep link renders at once, with no 504 and no reload loop, and the rest arrives', async ({ browser }) => {
  test.setTimeout(180_000);
  const { manifest } = await publish(ts.url, largeSite(), await generateKeyPair(), 1, undefined, 'index.html');
  const visitor = await newVisitor(browser);
  const navigations: string[] = [];
  visitor.page.on('framenavigated', (frame) => frame === visitor.page.mainFrame() && navigations.push(frame.url()));
  const served504: string[] = [];
  visitor.page.on('response', (r) => r.status() === 504 && served504.push(r.url()));
  await visitor.page.goto(ts.siteUrl(manifest.address, '/docs/viewer.html?x=1'));
  await expect(visitor.page.locator('#ready')).toHaveText('ready 2 pong ?x=1', { timeout: 90_000 });
  await expect(visitor.page.locator('#title')).toHaveCSS('color', 'rgb(0, 100, 0)');
  // The boot page reloaded once into the service worker; no loop.
  expect(navigations.length).toBeLessThanOrEqual(2);
  // The rest of the site arrives in the background.
  await expect.poll(async () => {
    const s = (await engineState(visitor.page)).stats as { bytesDone?: number; bytesTotal?: number } | undefined;
    return s && s.bytesTotal ? s.bytesDone === s.bytesTotal : false;
  }, { timeout: 90_000 }).toBe(true);
  expect(served504).toEqual([]);
  expect(visitor.errors()).toEqual([]);
  await visitor.context.close();
});
